"""BM25: ours agrees with a second implementation (rank_bm25); the paper's formula reproduces its normalisation."""

import math

import numpy as np
import pytest

from gtebench.search.bm25 import K1, B, BM25Error, PaperBM25, bm25_top_k, tokenize

CORPUS = [
    "red running shoes for men with a light sole",
    "blue cotton shirt",
    "wireless noise cancelling headphones",
    "office chair with lumbar support and red cushion",
    "stainless steel water bottle",
    "trail running shoes waterproof",
    "mechanical keyboard for the office",
]
QUERIES = ["red shoes", "office keyboard", "running shoes waterproof", "the and of"]


def test_tokens_are_words_without_english_stop_words():
    assert tokenize(["The Quick-Brown fox, and a dog!"]) == [["quick", "brown", "fox", "dog"]]


def test_ours_agrees_with_rank_bm25():
    from rank_bm25 import BM25Okapi

    reference = BM25Okapi(tokenize(CORPUS), k1=K1, b=B)  # every term here is in fewer than half the documents
    scores, positions, empty = bm25_top_k(QUERIES, CORPUS, k=len(CORPUS), formula="ours")
    for row, tokens in enumerate(tokenize(QUERIES)):
        expected = reference.get_scores(tokens)
        assert np.allclose(scores[row], expected[positions[row]], atol=1e-5)
    assert empty == 1  # "the and of" is only stop words
    assert positions[3].tolist() == list(range(len(CORPUS)))  # no tokens: every score 0, pool order


def test_paper_formula_hand_computed():
    corpus = [["red", "shoe"], ["red", "red", "red", "shirt", "long", "text", "here"], ["blue", "shoe"]]
    model = PaperBM25(corpus)
    n, avgdl = 3, 11 / 3
    idf_shoe = math.log(n - 2 + 0.5) - math.log(2 + 0.5)  # in 2 of 3 documents: negative, floored
    idf = {t: math.log(n - d + 0.5) - math.log(d + 0.5) for t, d in
           {"red": 2, "shoe": 2, "shirt": 1, "long": 1, "text": 1, "here": 1, "blue": 1}.items()}
    floor = 0.25 * np.mean(list(idf.values()))
    denominator = K1 * (1 - B + B * n / avgdl)  # the corpus size where the document length belongs
    tf_part = lambda tf: tf * (K1 + 1) / (tf + denominator)  # noqa: E731
    scores = model.get_scores(["red", "shoe"])
    assert idf_shoe < 0
    assert scores[0] == pytest.approx(floor * tf_part(1) + floor * tf_part(1))
    assert scores[1] == pytest.approx(floor * tf_part(3))
    assert scores[2] == pytest.approx(floor * tf_part(1))


def test_paper_formula_favours_long_documents_that_ours_normalises():
    corpus = ["shoes"] + ["shoes shoes " + " ".join(f"filler{i}" for i in range(60))] + [f"other{i}" for i in range(20)]
    _, ours, _ = bm25_top_k(["shoes"], corpus, k=2, formula="ours")
    _, paper, _ = bm25_top_k(["shoes"], corpus, k=2, formula="paper")
    assert ours[0, 0] == 0 and paper[0, 0] == 1  # length normalisation decides the order


def test_bad_input():
    with pytest.raises(BM25Error, match="formula must be one of"):
        bm25_top_k(["q"], CORPUS, formula="okapi")
    with pytest.raises(BM25Error, match="empty after tokenisation"):
        bm25_top_k(["q"], ["a", "the"], formula="ours")
