"""gtebench: reproduction of "Do We Really Need Specialization? Evaluating Generalist Text Embeddings for
Zero-Shot Recommendation and Search" (Attimonelli et al., RecSys 2025).

Stages, one module each (see docs/layout.md, "Where things live"):
    data/        load sources, split, export RecBole benchmark files
    text         item-text recipes
    encoders/    model registry, encoding engine, embedding cache
    recsys/      RecBole compatibility, text-based backbones, training runner
    results      tidy results schema and I/O;  plots: figures;  reproduce: papermill batch
"""

__version__ = "0.1.0"
