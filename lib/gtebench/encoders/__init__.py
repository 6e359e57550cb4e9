"""Text encoders: a registry of models as plain data, one encoding engine, a resumable embedding cache.

    registry.py    every model of the paper and the offline defaults as EncoderSpec entries; get_encoder(key),
                   encoder_key (an entry with changed settings as a key)
    adhoc.py       entries built from a hub id or a folder; mteb_meta.py: mteb's metadata for them
    offline.py     where weights come from: the packaged offline models, a local folder, or the HF hub
    engine.py      texts -> float32 vectors for one entry and one role (item or query)
    precision.py   which precision a run uses and what its cache key records
    cache.py       embed(): vectors cached per (model, weights, dataset, text recipe, role, precision), resumable;
                   embed_shard(): one shard of a pool; chunks.py: the resumable chunks; distributed.py: shards on
                   a Dask cluster
    openai_api.py  the OpenAI embeddings API (text-embedding-3-large)
    tfidf.py       TF-IDF + SVD, the lexical stand-in
    pca.py         PCA fits and the alpha-effective dimension d(alpha)
"""

from .cache import embed
from .registry import DEFAULT_ENCODERS, ENCODERS, PAPER_ENCODERS, EncoderError, EncoderSpec, get_encoder

__all__ = ["DEFAULT_ENCODERS", "ENCODERS", "PAPER_ENCODERS", "EncoderError", "EncoderSpec", "embed", "get_encoder"]
