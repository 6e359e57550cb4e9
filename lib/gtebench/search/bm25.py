"""BM25 over the whole pool: ours with bm25s, and the paper's, which carries a length-normalisation bug.

Both use the paper's settings: word tokens, English stop words removed, k1 1.5, b 0.75, Robertson's idf. Each
formula has its tokeniser, a named setting recorded with the run (bm25_settings):
- "bm25s" (formula "ours"): bm25s's tokens, lower-cased runs of two or more word characters, bm25s's stop words.
- "nltk-paper" (formula "paper"): the paper's own, NLTK's word_tokenize with case, punctuation and one-character
  tokens kept and NLTK's English stop words removed case-sensitively (see paper_tokenizer).

The paper's BM25 (BLaIR's product_search/bm25.py) normalises term frequency by the *corpus size* over the mean
document length instead of the document's own length: the denominator tf + k1 (1 - b + b N / avgdl) is the same
for every document and huge (N / avgdl ~ 10^4 on a million-item pool), so scores reduce to a weighted term count
that favours long documents. That is why its nDCG@100 is near zero in the paper's Table 2 (1.10 on ESCI, 0.00 on
Amazon-C4). `formula="paper"` reproduces it for parity (negative idf floored at 0.25 x the mean idf, as there);
`formula="ours"` is a correct BM25 (bm25s).
"""

from __future__ import annotations

import numpy as np

from ..quiet import quiet

K1, B = 1.5, 0.75
EPSILON = 0.25  # the paper's floor for negative idf, as a fraction of the mean idf
FORMULAS = ("ours", "paper")
TOKENIZERS = ("bm25s", "nltk-paper")
DEFAULT_TOKENIZER = {"ours": "bm25s", "paper": "nltk-paper"}  # each formula with the tokens it was published with


class BM25Error(ValueError):
    pass


def tokenize(texts, tokenizer: str = "bm25s") -> list[list[str]]:
    """Tokens of each text, English stop words removed: bm25s's ("bm25s") or the paper's NLTK ones ("nltk-paper")."""
    _check_tokenizer(tokenizer)
    if tokenizer == "nltk-paper":
        from . import paper_tokenizer

        try:
            return paper_tokenizer.tokenize(texts)
        except paper_tokenizer.PaperTokenizerError as error:  # one error type for every bad BM25 input
            raise BM25Error(str(error)) from error
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", return_ids=False, show_progress=False)


def _check_tokenizer(tokenizer: str) -> None:
    if tokenizer not in TOKENIZERS:
        raise BM25Error(f"BM25 tokenizer must be one of {TOKENIZERS}, got {tokenizer!r}")


def bm25_settings(formula: str, tokenizer: str | None = None) -> dict:
    """What a BM25 run used, for its record: formula, tokeniser (None: the formula's own), parameters, versions."""
    if formula not in FORMULAS:
        raise BM25Error(f"BM25 formula must be one of {FORMULAS}, got {formula!r}")
    tokenizer = DEFAULT_TOKENIZER[formula] if tokenizer is None else tokenizer
    _check_tokenizer(tokenizer)
    if tokenizer == "nltk-paper":
        from . import paper_tokenizer

        versions = paper_tokenizer.versions()
    else:
        from importlib import metadata

        versions = {"bm25s": metadata.version("bm25s")}
    settings = {"formula": formula, "tokenizer": tokenizer, "k1": K1, "b": B, "idf": "robertson",
                "tokenizer_versions": versions}
    if formula == "paper":
        settings["idf_floor"] = f"{EPSILON} x mean idf"
    return settings


def _top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best k positions, equal scores by position (as in dense retrieval)."""
    k = min(k, len(scores))
    candidates = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    threshold = scores[candidates].min()
    tied = np.flatnonzero(scores >= threshold)  # every item tied with the k-th, so ties resolve by position
    order = np.lexsort((tied, -scores[tied]))[:k]
    return scores[tied[order]].astype(np.float32), tied[order].astype(np.int64)


class PaperBM25:
    """The paper's scoring, written out with a sparse term-frequency matrix (see the module docstring)."""

    def __init__(self, corpus_tokens: list[list[str]], k1: float = K1, b: float = B):
        from scipy import sparse

        self.vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for doc, tokens in enumerate(corpus_tokens):
            for token in tokens:
                cols.append(self.vocabulary.setdefault(token, len(self.vocabulary)))
                rows.append(doc)
        n_docs = len(corpus_tokens)
        tf = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_docs, len(self.vocabulary)))
        tf.sum_duplicates()
        avgdl = max(sum(len(t) for t in corpus_tokens) / max(n_docs, 1), 1e-9)
        df = np.bincount(tf.indices, minlength=len(self.vocabulary))
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        idf[idf < 0] = EPSILON * idf.mean() if len(idf) else 0.0
        denominator = k1 * (1 - b + b * n_docs / avgdl)  # the bug: corpus size where the document length belongs
        weighted = tf.tocsc(copy=True)
        weighted.data = weighted.data * (k1 + 1) / (weighted.data + denominator)
        self.weights = weighted  # docs x terms, before idf
        self.idf = idf

    def get_scores(self, query_tokens: list[str]) -> np.ndarray:
        scores = np.zeros(self.weights.shape[0])
        for token in query_tokens:  # a repeated query token counts each time, as in the paper's loop
            column = self.vocabulary.get(token)
            if column is not None:
                start, end = self.weights.indptr[column], self.weights.indptr[column + 1]
                scores[self.weights.indices[start:end]] += self.idf[column] * self.weights.data[start:end]
        return scores


def bm25_top_k(queries, items, k: int = 100, formula: str = "ours", progress: bool = False, *,
               tokenizer: str | None = None):
    """Top-k pool positions and scores for every query text over every item text; also the number of queries
    left with no token after stop-word removal (they score every item 0, so rank the pool in order).

    Args:
        queries, items: texts; k: items kept per query.
        formula: "ours" (bm25s) or "paper" (the authors' length normalisation by the corpus size).
        progress: a progress bar over queries.
        tokenizer: "bm25s" or "nltk-paper"; None takes the formula's own (DEFAULT_TOKENIZER). Another pairing is
            allowed, to separate the effect of the tokens from that of the formula.
    """
    import bm25s
    from tqdm.auto import tqdm

    if formula not in FORMULAS:
        raise BM25Error(f"BM25 formula must be one of {FORMULAS}, got {formula!r}")
    tokenizer = DEFAULT_TOKENIZER[formula] if tokenizer is None else tokenizer
    _check_tokenizer(tokenizer)
    if isinstance(queries, str) or isinstance(items, str):
        raise BM25Error("queries and items must be lists of texts, not one string")
    corpus = tokenize(items, tokenizer)
    if not any(corpus):
        raise BM25Error("every item text is empty after tokenisation; check the item-text recipe")
    if formula == "ours":
        model = bm25s.BM25(k1=K1, b=B, method="robertson")
        model.index(corpus, show_progress=False)
    else:
        model = PaperBM25(corpus)
    query_tokens = tokenize(queries, tokenizer)
    scores = np.empty((len(query_tokens), min(k, len(corpus))), dtype=np.float32)
    positions = np.empty(scores.shape, dtype=np.int64)
    shown = tqdm(query_tokens, desc=f"BM25 ({formula}, {tokenizer})", disable=not progress or quiet())
    for row, tokens in enumerate(shown):
        all_scores = model.get_scores(tokens) if tokens else np.zeros(len(corpus))
        if formula == "ours":
            all_scores = all_scores * (K1 + 1)  # bm25s leaves out the constant (k1 + 1) of the textbook numerator
        scores[row], positions[row] = _top_k(np.asarray(all_scores, dtype=np.float64), k)
    return scores, positions, sum(1 for t in query_tokens if not t)
