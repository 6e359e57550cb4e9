import numpy as np
import pandas as pd
import pytest

from gtebench.encoders import cache
from gtebench.encoders.cache import CacheError, embed

TEXTS = pd.Series([f"product {i}: a {c} lamp" for i, c in enumerate(["red", "blue", "green", "white"] * 4)],
                  index=[f"i{i}" for i in range(16)])


def test_round_trip_and_reuse(monkeypatch):
    first = embed("tfidf-svd", TEXTS, dataset="toy", recipe_hash="r1", show_progress=False)
    assert not first.from_cache
    assert first.path.is_file() and first.path.with_suffix(".json").is_file()
    calls = []
    monkeypatch.setattr(cache, "encode", lambda *a, **k: calls.append(1))
    second = embed("tfidf-svd", TEXTS, dataset="toy", recipe_hash="r1", show_progress=False)
    assert second.from_cache and not calls
    assert np.array_equal(first.vectors, second.vectors)
    assert second.meta["rows"] == 16 and second.meta["dim"] == 256


def test_every_input_that_changes_a_vector_changes_the_file():
    base = embed("tfidf-svd", TEXTS, dataset="toy", recipe_hash="r1", show_progress=False).path
    assert embed("tfidf-svd", TEXTS, dataset="toy", recipe_hash="r2", show_progress=False).path != base
    assert embed("tfidf-svd", TEXTS, dataset="other", recipe_hash="r1", show_progress=False).path != base
    edited = TEXTS.copy()
    edited.iloc[0] = "product 0: a red desk lamp"
    assert embed("tfidf-svd", edited, dataset="toy", recipe_hash="r1", show_progress=False).path != base


def test_aligned_reorders_rows_by_id():
    emb = embed("tfidf-svd", TEXTS, dataset="toy", recipe_hash="r1", show_progress=False)
    assert np.array_equal(emb.aligned(["i3", "i0"]), emb.vectors[[3, 0]])
    with pytest.raises(CacheError, match="no embedding"):
        emb.aligned(["nope"])


def test_corrupt_cache_is_detected(tmp_path):
    emb = embed("tfidf-svd", TEXTS, dataset="corrupt", recipe_hash="r1", show_progress=False)
    broken = emb.vectors.copy()
    broken[2] = np.nan
    np.save(emb.path, broken)
    with pytest.raises(CacheError, match="NaN"):
        embed("tfidf-svd", TEXTS, dataset="corrupt", recipe_hash="r1", show_progress=False)
    broken[2] = 0
    np.save(emb.path, broken)
    with pytest.raises(CacheError, match="all-zero"):
        embed("tfidf-svd", TEXTS, dataset="corrupt", recipe_hash="r1", show_progress=False)


def test_a_killed_encode_leaves_no_file_and_the_next_call_completes(monkeypatch):
    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "save_npy", killed)
    with pytest.raises(KeyboardInterrupt):
        embed("tfidf-svd", TEXTS, dataset="killed", recipe_hash="r1", show_progress=False)
    folder = cache.paths.home() / "embeddings" / "killed" / "tfidf-svd"
    assert not any(folder.glob("*.json"))  # no sidecar: nothing claims to be complete
    monkeypatch.undo()
    assert not embed("tfidf-svd", TEXTS, dataset="killed", recipe_hash="r1", show_progress=False).from_cache
    assert embed("tfidf-svd", TEXTS, dataset="killed", recipe_hash="r1", show_progress=False).from_cache


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate ids"):
        embed("tfidf-svd", pd.Series(["a", "b"], index=["x", "x"]), dataset="toy", recipe_hash="r", show_progress=False)
