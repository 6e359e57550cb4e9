"""Exact top-k retrieval equals a brute-force argsort, ties included, in both precisions and any chunking."""

import numpy as np
import pytest

from gtebench.search.retrieval import RetrievalError, _unit_rows, top_k


def brute_force_top_k(queries: np.ndarray, items: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference: every cosine score of the unit fp32 vectors (float64 sums), a stable argsort."""
    q = _unit_rows(queries, "queries").numpy().astype(np.float64)
    x = _unit_rows(items, "items").numpy().astype(np.float64)
    scores = q @ x.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, 1).astype(np.float32), order.astype(np.int64)


def _vectors(n, d, seed):
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
@pytest.mark.parametrize("item_chunk,query_block", [(64, 7), (1000, 1000), (10, 3)])
def test_equals_brute_force_argsort(precision, item_chunk, query_block):
    queries, items = _vectors(23, 32, 0), _vectors(700, 32, 1)
    scores, index = top_k(queries, items, 20, precision=precision, item_chunk=item_chunk, query_block=query_block)
    ref_scores, ref_index = brute_force_top_k(queries, items, 20)
    assert np.array_equal(index, ref_index)
    assert np.allclose(scores, ref_scores, atol=1e-6)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_ties_rank_by_item_position_across_chunks(precision):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((50, 16)).astype(np.float32)
    items = np.concatenate([base, base, base * 2.0])  # each vector three times (x2 has the same cosine)
    queries = rng.standard_normal((9, 16)).astype(np.float32)
    scores, index = top_k(queries, items, 10, precision=precision, item_chunk=37)
    ref_scores, ref_index = brute_force_top_k(queries, items, 10)
    assert np.array_equal(index, ref_index) and np.allclose(scores, ref_scores, atol=1e-6)
    first = index[:, 0]
    assert (index[:, 1] == first + 50).all() and (index[:, 2] == first + 100).all()  # the copies, in position order


def test_near_ties_that_bf16_cannot_separate_are_still_ranked_exactly():
    rng = np.random.default_rng(5)
    direction = rng.standard_normal(64).astype(np.float32)
    items = direction + 1e-3 * rng.standard_normal((400, 64)).astype(np.float32)  # scores 1e-6 apart: below bf16's step
    queries = (direction + 1e-2 * rng.standard_normal((4, 64))).astype(np.float32)
    scores, index = top_k(queries, items, 25, precision="bf16", item_chunk=50)
    assert np.array_equal(index, top_k(queries, items, 25, precision="fp32", item_chunk=50)[1])
    ref_scores, ref_index = brute_force_top_k(queries, items, 25)
    # fp32 sums may order scores closer than 1e-7 differently from the float64 reference: compare the scores
    assert np.allclose(scores, ref_scores, atol=1e-7)
    overlap = np.mean([len(set(a) & set(b)) / 25 for a, b in zip(index, ref_index)])
    assert overlap >= 0.9


def test_memory_mapped_items_and_small_pools(tmp_path):
    items = _vectors(30, 8, 2)
    np.save(tmp_path / "items.npy", items)
    mapped = np.load(tmp_path / "items.npy", mmap_mode="r")
    scores, index = top_k(_vectors(3, 8, 4), mapped, 100, item_chunk=7)
    assert index.shape == (3, 30)  # k capped at the pool size
    assert np.array_equal(index, brute_force_top_k(_vectors(3, 8, 4), items, 30)[1])


@pytest.mark.parametrize("queries,items,kwargs,match", [
    (np.ones((2, 4)), np.ones((5, 3)), {}, "4 dimensions but item vectors 3"),
    (np.ones((2, 4)), np.zeros((0, 4)), {}, "nothing to search"),
    (np.ones((2, 4)), np.ones((5, 4)), {"k": 0}, "k must be positive"),
    (np.ones((2, 4)), np.ones((5, 4)), {"precision": "fp16"}, "precision must be one of"),
    (np.full((2, 4), np.nan), np.ones((5, 4)), {}, "non-finite"),
])
def test_bad_input(queries, items, kwargs, match):
    with pytest.raises(RetrievalError, match=match):
        top_k(queries.astype(np.float32), items.astype(np.float32), **kwargs)


def test_a_zero_query_scores_zero_and_ranks_the_pool_in_order():
    items = _vectors(20, 8, 6)
    queries = np.vstack([np.zeros(8, dtype=np.float32), _vectors(1, 8, 7)])
    scores, index = top_k(queries, items, 5, precision="bf16", item_chunk=6)
    assert (scores[0] == 0).all() and index[0].tolist() == [0, 1, 2, 3, 4]
    assert np.array_equal(index[1], brute_force_top_k(queries[1:], items, 5)[1][0])


def test_auto_precision_follows_the_measured_timings_not_the_cpu_flags(monkeypatch):
    from gtebench import hardware
    from gtebench.search import retrieval

    monkeypatch.setattr(retrieval, "_MEASURED", {})
    queries, items = _vectors(4, 8, 1), _vectors(50, 8, 2)
    # flags that promise native bf16 (the EPYC of issue 17), but bf16 measured slower: fp32
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16", "amx_bf16"}))
    slow_bf16 = {"fp32": 1.0, "bf16": 1.2}
    assert retrieval.measured_precision(queries, items, timer=slow_bf16.__getitem__) == "fp32"
    assert retrieval.measured_choices()[8] == ("fp32", slow_bf16)
    # measured once per process and dimension: a second timer is not consulted for dimension 8
    assert retrieval.measured_precision(queries, items, timer=lambda p: 1 / 0) == "fp32"
    # an AVX2-only CPU where bf16 measured faster: bf16
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
    fast_bf16 = {"fp32": 1.0, "bf16": 0.5}
    assert retrieval.measured_precision(_vectors(4, 16, 3), _vectors(50, 16, 4), timer=fast_bf16.__getitem__) == "bf16"
    assert retrieval.faster_precision({"fp32": 1.0, "bf16": 1.0}.__getitem__)[0] == "fp32"  # a tie: fp32


def test_resolve_scoring_precision_measures_on_the_cpu_only(monkeypatch):
    from gtebench.search import retrieval

    monkeypatch.setattr(retrieval, "_MEASURED", {})
    timed = []
    monkeypatch.setattr(retrieval, "time_block", lambda q, i, p: timed.append((q.shape, i.shape, p)) or
                        {"fp32": 2.0, "bf16": 1.0}[p])
    queries, items = _vectors(3, 8, 1), _vectors(20, 8, 2)
    assert retrieval.resolve_scoring_precision("auto", "cpu", queries, items) == "bf16"
    assert timed == [((3, 8), (20, 8), "fp32"), ((3, 8), (20, 8), "bf16")]  # the real shape, each precision once
    assert retrieval.resolve_scoring_precision("auto", "cuda") == "bf16"
    assert retrieval.resolve_scoring_precision("fp32", "cpu", queries, items) == "fp32"  # an explicit choice wins
    assert len(timed) == 2


def test_the_timed_block_runs_the_whole_search_path():
    from gtebench.search.retrieval import time_block

    seconds = time_block(_vectors(5, 8, 1), _vectors(300, 8, 2), "bf16", repeats=1)
    assert 0 < seconds < 10


def test_an_explicit_device_gives_the_same_result():
    queries, items = _vectors(5, 16, 8), _vectors(90, 16, 9)
    ref = brute_force_top_k(queries, items, 10)[1]
    assert np.array_equal(top_k(queries, items, 10, device="cpu", item_chunk=32)[1], ref)
