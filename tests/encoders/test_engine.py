"""The engine with the real offline model (all-MiniLM-L6-v2 from its PyPI package) and the TF-IDF baseline."""

from dataclasses import replace

import numpy as np
import pytest

from gtebench.encoders.engine import encode, resolve_precision
from gtebench.encoders.registry import EncoderError, get_encoder

TEXTS = ["Toy Story (1995). Genres: Animation, Children's, Comedy.", "GoldenEye (1995). Genres: Action, Adventure, Thriller."]


def test_minilm_gives_unit_vectors_of_the_registered_dimension():
    vectors, report = encode(get_encoder("minilm-l6"), TEXTS, precision="fp32", show_progress=False)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert report.truncated == 0 and report.precision == "fp32"


def test_query_prompt_changes_queries_and_never_items():
    spec = replace(get_encoder("minilm-l6"), query_prompt="Represent this query: ")
    items, _ = encode(spec, TEXTS, role="item", precision="fp32", show_progress=False)
    plain, _ = encode(get_encoder("minilm-l6"), TEXTS, role="item", precision="fp32", show_progress=False)
    queries, _ = encode(spec, TEXTS, role="query", precision="fp32", show_progress=False)
    assert np.allclose(items, plain, atol=1e-6)
    assert not np.allclose(queries, items, atol=1e-3)


def test_truncation_is_counted():
    spec = replace(get_encoder("minilm-l6"), max_length=8)
    _, report = encode(spec, TEXTS + ["short"], precision="fp32", show_progress=False)
    assert report.truncated == 2


def test_tfidf_svd_is_deterministic_and_normalised():
    corpus = [f"item {i} of colour {c}" for i, c in enumerate(["red", "blue", "green", "red"] * 5)]
    spec = get_encoder("tfidf-svd")
    first, _ = encode(spec, corpus)
    second, _ = encode(spec, corpus)
    assert first.shape == (20, spec.dim)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_empty_texts_and_bad_settings_are_errors():
    with pytest.raises(EncoderError, match="empty text"):
        encode(get_encoder("tfidf-svd"), ["fine", "  "])
    with pytest.raises(EncoderError, match="empty"):
        encode(get_encoder("tfidf-svd"), [])
    with pytest.raises(EncoderError, match="precision"):
        resolve_precision("fp8", "cpu")
    assert resolve_precision("auto", "cuda") == "bf16"
