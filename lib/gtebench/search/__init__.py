"""Product search (the paper's Table 2 and Figure 1): exact dense retrieval, BM25, run files, ranx metrics.

    retrieval.py   exact cosine top-k over a whole pool in chunks (bf16 scoring, exact re-scoring)
    bm25.py        BM25 with bm25s (ours) and the paper's length-normalisation bug (for parity)
    runfile.py     TREC run files: write atomically, read with line-numbered errors
    metrics.py     nDCG@100, Recall@100, MRR@100, nDCG@10 through ranx; per domain; paired tests
    experiment.py  the Table 2 / Figure 1 experiment: typed config in, tidy results out
"""
