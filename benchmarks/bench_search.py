"""Exact top-100 search: this repository's retrieval against FAISS IndexFlatIP on the same vectors, in one run.

Vectors are GENERATED (standard normal, L2-normalised; not real embeddings): random directions are the hard case
for the bf16 path, whose exact re-scoring band is widest when scores bunch together. For every pool size the
benchmark times FAISS's exact inner-product search and `gtebench.search.retrieval.top_k` with the precision the
library picks on this machine (`auto`: bf16 rough scoring where bf16 is native, fp32 elsewhere) and, where that is
bf16, with fp32 rough scoring too (both return the exact fp32 top k); it checks that the top 100 equals FAISS's
(positions may differ only where two scores tie within 1e-6), and prints queries per second, the ratio and the
process's peak memory. A roofline line per pool size puts FAISS's scoring work (2 x queries x items x dim FLOP)
over its seconds against the fastest fp32 matmul in this process (torch's MKL or numpy's OpenBLAS, measured in the
same run on one block of the same shape): the bound on what any fp32 search can gain over FAISS here. Where a GPU
is present, the same search runs on it too (bf16 rough scoring, exact fp32 top 100), against the same FAISS CPU run.

With --real DATASET[:MODEL] (e.g. homedepot:minilm-l6) the pool and queries are instead that dataset's real
cached embeddings (encoded first if the cache lacks them), all of its test queries, and --sizes is ignored.

    python benchmarks/bench_search.py [--sizes 10000 100000 1000000] [--queries 1000] [--dim 384] [--threads 2]
    python benchmarks/bench_search.py --real homedepot:minilm-l6
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def best_of(repeats: int, function):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def gpu_top_k(queries: np.ndarray, items: np.ndarray, k: int):
    """top_k on the GPU, timed to the end of its work (CUDA runs asynchronously)."""
    from gtebench.hardware import synchronise
    from gtebench.search.retrieval import top_k

    result = top_k(queries, items, k, precision="auto", device="cuda")
    synchronise("cuda")
    return result


def agreement(ours: np.ndarray, ours_scores: np.ndarray, reference: np.ndarray, reference_scores: np.ndarray) -> float:
    """Fraction of queries whose top k equals the reference's, counting a swap of scores within 1e-6 as equal."""
    same = (ours == reference).all(axis=1)
    tied = np.isclose(ours_scores, reference_scores, atol=1e-6).all(axis=1)
    return float((same | tied).mean())


def main() -> None:
    import faiss

    from gtebench.hardware import fp32_matmul_rates
    from gtebench.search.retrieval import resolve_scoring_precision

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--real", default="", help="DATASET[:MODEL]: real cached embeddings instead of generated")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    faiss.omp_set_num_threads(args.threads)
    if args.real:
        pools = [real_pool(args.real)]
        queries = pools[0][2]
        label = f"REAL embeddings {args.real}, dim {queries.shape[1]}, {len(queries)} queries"
    else:
        queries = unit_vectors(args.queries, args.dim, seed=1)
        pools = [(f"{size:,}", size, queries) for size in args.sizes]
        label = f"GENERATED unit vectors, dim {args.dim}, {args.queries} queries"
    dim = queries.shape[1]
    print(f"{label}, top {args.k}, {args.threads} thread(s), best of {args.repeats}; torch {torch.__version__}, "
          f"faiss {faiss.__version__}")
    matmul_peak = max(fp32_matmul_rates(min(len(queries), 2048), dim, 65_536).values())
    # "auto" times fp32 and bf16 on a block of this shape and takes the faster (search.retrieval.measured_precision)
    sample = pools[0][1][:8192] if args.real else unit_vectors(8192, dim, seed=3)
    auto = resolve_scoring_precision("auto", "cpu", queries, sample)
    precisions = [auto] + (["fp32"] if auto != "fp32" else [])
    print(f"{'items':>10} {'FAISS q/s':>10} " + " ".join(f"{'ours ' + p + ' q/s':>14} {'ratio':>6}" for p in precisions)
          + f" {'same top-k':>10} {'peak RSS':>9}")
    for name, pool, queries in pools:
        items = pool if args.real else unit_vectors(pool, dim, seed=2)
        compare(name, queries, items, precisions, args, matmul_peak)
        items = None  # frees the pool before the next size


def real_pool(spec: str) -> tuple[str, np.ndarray, np.ndarray]:
    """(name, item vectors, query vectors) of a search dataset's cached embeddings, float32 and L2-normalised."""
    from gtebench.data.search import prepare_search
    from gtebench.search.experiment import encode_search_texts

    dataset, _, model = spec.partition(":")
    ds = prepare_search(dataset)
    model = model or "minilm-l6"
    items, queries = (np.ascontiguousarray(encode_search_texts(model, ds, role).vectors, dtype=np.float32)
                      for role in ("item", "query"))
    return f"{len(items):,} real", items, queries


def compare(name: str, queries: np.ndarray, items: np.ndarray, precisions: list[str], args, matmul_peak: float):
    """One pool: FAISS against ours at each precision; prints q/s, ratios, agreement, roofline (and the GPU)."""
    import faiss

    from gtebench.search.retrieval import top_k

    index = faiss.IndexFlatIP(items.shape[1])
    index.add(items)
    faiss_s, (faiss_scores, faiss_index) = best_of(args.repeats, lambda: index.search(queries, args.k))
    timings, results = {}, {}
    for precision in precisions:
        timings[precision], results[precision] = best_of(
            args.repeats, lambda: top_k(queries, items, args.k, precision=precision, device="cpu"))
    first_scores, first_index = results[precisions[0]]
    same = agreement(first_index, first_scores, faiss_index, faiss_scores)
    for precision in precisions[1:]:
        assert np.array_equal(results[precision][1], first_index), "every rough precision gives the same exact top k"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(queries)
    print(f"{name:>10} {n / faiss_s:>10,.0f} " + " ".join(
        f"{n / timings[p]:>14,.0f} {faiss_s / timings[p]:>5.2f}x" for p in precisions)
        + f" {same:>10.2%} {peak:>7,.0f} MiB", flush=True)
    achieved = 2 * n * len(items) * items.shape[1] / faiss_s / 1e9
    print(f"{'':>10} roofline: FAISS scores at {achieved:.0f} GFLOP/s, {achieved / matmul_peak:.0%} of the fastest "
          f"fp32 matmul here ({matmul_peak:.0f} GFLOP/s): no fp32 search can be more than "
          f"{matmul_peak / achieved:.2f}x faster", flush=True)
    if torch.cuda.is_available():  # the same search on the GPU (bf16 rough scoring), against the same FAISS CPU run
        gpu_s, (gpu_scores, gpu_index) = best_of(args.repeats, lambda: gpu_top_k(queries, items, args.k))
        print(f"{'':>10} GPU ({torch.cuda.get_device_name()}): {n / gpu_s:,.0f} q/s, {faiss_s / gpu_s:.2f}x FAISS CPU, "
              f"same top-k {agreement(gpu_index, gpu_scores, faiss_index, faiss_scores):.2%}, "
              f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:,.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
