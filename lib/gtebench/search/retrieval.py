"""Exact cosine top-k over a whole item pool, in bounded memory, with an exact bf16 fast path.

Items stream in chunks (from a memory-mapped .npy, so a 1M x 4096 pool is never read whole); every query keeps a
running top-k that each chunk is merged into. The result equals a brute-force fp32 argsort of the cosine scores,
ties included (equal scores rank by item position), which the tests check.

The fast path (`precision="bf16"`) scores each chunk with bf16 inputs, which a GPU or a CPU with native bf16 dot
products (AVX-512 BF16, AMX) runs about three times as fast as an fp32 matmul, and scores in fp32 only the
(query, item) pairs that could still enter the top k, using a rigorous bound on the bf16 error (see `top_k`). The
result is the fp32 top k, not an approximation. `precision="auto"` takes bf16 on a GPU; on a CPU it times both
once per process and vector dimension on one block of the search's shape and takes the faster (measured_precision):
CPU flags do not predict it (an AVX-512 BF16 EPYC without AMX ran the bf16 path slower than fp32, an AVX2-only CPU
emulates bf16 at a sixth of its fp32 speed). Scoring runs on the GPU when there is one.
"""

from __future__ import annotations

import contextlib
import functools
import logging

import numpy as np

from ..hardware import best_seconds, fp32_matmul_rates, resolve_device
from ..quiet import quiet

PRECISIONS = ("auto", "fp32", "bf16")
log = logging.getLogger(__name__)


class RetrievalError(ValueError):
    pass


TIMING_BLOCK = (256, 8192)  # queries x items timed: a slice of a real (2,048 x 65,536) scoring step
_MEASURED: dict[int, tuple[str, dict[str, float]]] = {}  # dimension -> (choice, seconds per precision)


def resolve_scoring_precision(precision: str, device: str, queries: np.ndarray | None = None,
                              items: np.ndarray | None = None) -> str:
    """`precision` unless "auto": then bf16 on CUDA (tensor cores) and, on a CPU, the faster of fp32 and bf16 as
    measured on the first block of these queries and items (random unit vectors of dimension 384 where none are
    given), once per process and dimension (measured_precision).

    Args:
        precision: "auto", "fp32" or "bf16"; device: "cpu" or a CUDA device.
        queries, items: the search's vectors (their first block is timed); None: random ones.
    """
    if precision not in PRECISIONS:
        raise RetrievalError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "bf16"
    if queries is None or items is None:
        rng = np.random.default_rng(0)
        queries, items = (rng.standard_normal((n, 384), dtype=np.float32) for n in TIMING_BLOCK)
    return measured_precision(queries, items)


def time_block(queries: np.ndarray, items: np.ndarray, precision: str, repeats: int = 2) -> float:
    """Seconds (best of `repeats`, after a warm-up) of top_k on the CPU at `precision` over the first TIMING_BLOCK
    of queries and items, in two item chunks so that the second runs as every later chunk does (a running top k,
    the exact re-scoring band): the whole path, not the matmul alone."""

    q, i = queries[: TIMING_BLOCK[0]], np.asarray(items[: TIMING_BLOCK[1]])
    k = min(100, max(1, len(i) // 2))

    def run():
        top_k(q, i, k, precision=precision, device="cpu", item_chunk=max(k, (len(i) + 1) // 2))

    return best_seconds(run, repeats)


def faster_precision(timer) -> tuple[str, dict[str, float]]:
    """The precision that `timer(precision)` (seconds) measures faster, fp32 on a tie, and the timings."""
    timings = {p: float(timer(p)) for p in ("fp32", "bf16")}
    return ("bf16" if timings["bf16"] < timings["fp32"] else "fp32"), timings


def measured_precision(queries: np.ndarray, items: np.ndarray, timer=None) -> str:
    """The faster rough-scoring precision for vectors of this dimension: measured on the first block of `queries`
    and `items` once per process and dimension (a few seconds on 2 cores), then reused. `timer(precision)`
    replaces time_block (tests inject one)."""
    dim = queries.shape[1]
    if dim not in _MEASURED:
        _MEASURED[dim] = faster_precision(timer or (lambda p: time_block(queries, items, p)))
        log.info("rough scoring precision for dimension %d: %s (seconds per block: %s)", dim, *_MEASURED[dim])
    return _MEASURED[dim][0]


def measured_choices() -> dict[int, tuple[str, dict[str, float]]]:
    """What this process measured so far: dimension -> (choice, seconds per precision), for run records."""
    return dict(_MEASURED)


def _unit_rows(block: np.ndarray, what: str, device: str = "cpu"):
    import torch

    # a copy: memory-mapped blocks are read-only
    tensor = torch.from_numpy(np.array(block, dtype=np.float32)).to(device)
    norms = tensor.norm(dim=1, keepdim=True)
    if not torch.isfinite(norms).all():
        bad = torch.nonzero(~torch.isfinite(norms.squeeze(1))).flatten()[:5].tolist()
        raise RetrievalError(f"{what}: non-finite vector(s) at row(s) {bad}; re-encode them")
    # a zero vector (a TF-IDF text with no known term) stays zero: it scores 0 against everything
    return tensor / torch.where(norms == 0, torch.ones_like(norms), norms)


def _merge(state_scores, state_index, new_scores, new_index, k: int):
    """Top k of the union, equal scores ordered by item index (state rows hold lower indices than new ones)."""
    import torch

    scores = torch.cat([state_scores, new_scores], dim=1)
    index = torch.cat([state_index, new_index], dim=1)
    top_scores, position = torch.topk(scores, k, dim=1)
    top_index = torch.gather(index, 1, position)
    # topk breaks ties arbitrarily; where equal scores straddle the k-th place, take the lowest indices instead
    boundary = top_scores[:, -1:]
    ambiguous = (scores == boundary).sum(1) > (top_scores == boundary).sum(1)
    for row in torch.nonzero(ambiguous).flatten().tolist():
        order = np.lexsort((index[row].cpu().numpy(), -scores[row].cpu().numpy()))[:k]
        order = torch.from_numpy(order).to(scores.device)
        top_scores[row] = scores[row, order]
        top_index[row] = index[row, order]
    return top_scores, top_index


def _exact_scores(q32, i32, query_of, item_of, batch_values: int = 1 << 24):
    """fp32 scores of the given (query, item) pairs, in batches that bound the gathered rows' memory.

    On the CPU the rows are gathered by numpy, faster than torch's indexing (benchmarks/RESULTS.md); the gathers,
    not the products, are the cost of re-scoring."""
    import torch

    cpu = q32.device.type == "cpu"
    if cpu:
        q32, i32, query_of, item_of = q32.numpy(), i32.numpy(), query_of.numpy(), item_of.numpy()
    out = torch.empty(len(query_of), dtype=torch.float32, device="cpu" if cpu else q32.device)
    step = max(1, batch_values // q32.shape[1])
    for s in range(0, len(query_of), step):
        a, b = q32[query_of[s : s + step]], i32[item_of[s : s + step]]
        if cpu:
            a, b = torch.from_numpy(a), torch.from_numpy(b)
        out[s : s + step] = torch.einsum("nd,nd->n", a, b)
    return out


@functools.lru_cache(maxsize=1)
def _numpy_gemm_is_faster() -> bool:
    """Whether numpy's BLAS multiplies fp32 faster than torch's here (timed once on a search-shaped block). Both
    compute the same fp32 products, so either gives rough scores within the same error bound."""
    rates = fp32_matmul_rates(512, 256, 8192)
    return rates["numpy"] > rates["torch"]


def _rough_scores(q_rough, i_rough):
    """queries x items products of the rough copies: numpy's BLAS for fp32 on the CPU where it is faster."""
    import torch

    if q_rough.device.type == "cpu" and q_rough.dtype == torch.float32 and _numpy_gemm_is_faster():
        return torch.from_numpy(q_rough.numpy() @ i_rough.numpy().T)
    with _fp32_accumulation():
        return q_rough @ i_rough.T


@contextlib.contextmanager
def _fp32_accumulation():
    """The error bound assumes bf16 products summed in fp32: forbid cuBLAS's reduced-precision (bf16) reductions
    and TF32 for the duration (no effect on the CPU)."""
    import torch

    matmul = torch.backends.cuda.matmul
    saved = matmul.allow_bf16_reduced_precision_reduction, matmul.allow_tf32
    matmul.allow_bf16_reduced_precision_reduction, matmul.allow_tf32 = False, False
    try:
        yield
    finally:
        matmul.allow_bf16_reduced_precision_reduction, matmul.allow_tf32 = saved


def _split(vectors, dtype):
    """The rough copy and, per row, the norms of the rough copy and of the rounding residual."""
    import torch

    if dtype == torch.float32:  # the rough copy is the vector itself: no residual
        norms = vectors.norm(dim=1)
        return vectors, norms, torch.zeros_like(norms)
    rough = vectors.to(dtype)
    residual = vectors - rough.float()
    return rough, rough.float().norm(dim=1), residual.norm(dim=1)


def top_k(queries: np.ndarray, items: np.ndarray, k: int = 100, *, precision: str = "auto", device: str | None = None,
          item_chunk: int = 65_536, query_block: int = 2_048, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The k items of highest cosine similarity for every query: (scores float32, item positions int64), both of
    shape (queries, k), best first; equal scores by item position. `items` may be a memory-mapped array.

    Each chunk is scored roughly (`precision`: a bf16 or fp32 matmul), and only the pairs whose rough score could
    still reach the running k-th exact score are scored exactly (fp32). With q = qh + dq and x = xh + dx (rough
    copy plus rounding residual), |q.x - qh.xh| <= |qh||dx| + |dq||xh| + |dq||dx| (Cauchy-Schwarz), so a pair
    whose rough score is below (k-th exact score - that bound - the fp32 accumulation error) cannot enter the top
    k; rounding the threshold to bf16 loses nothing because rounding is monotonic. Both precisions give the same
    result. `device`: "cuda" when there is a GPU, else "cpu" (or name one); items stream to it chunk by chunk.

    Args:
        queries: (queries, dim); items: (items, dim), e.g. memory-mapped; k: items kept per query.
        precision, device: as above.
        item_chunk: items scored per step (bounds memory); query_block: queries per matmul.
        progress: a progress bar over chunks.
    """
    import torch
    from tqdm.auto import tqdm

    device = resolve_device(device)
    if queries.ndim != 2 or items.ndim != 2:
        raise RetrievalError(f"queries and items must be 2-d arrays, got shapes {queries.shape} and {items.shape}")
    precision = resolve_scoring_precision(precision, device, queries, items)
    if queries.shape[1] != items.shape[1]:
        raise RetrievalError(f"query vectors have {queries.shape[1]} dimensions but item vectors {items.shape[1]}: "
                             f"encode both with the same model (and the same PCA projection)")
    if len(items) == 0 or len(queries) == 0:
        raise RetrievalError(f"nothing to search: {len(queries)} queries, {len(items)} items")
    if k < 1:
        raise RetrievalError(f"k must be positive, got {k}")
    k = min(k, len(items))
    item_chunk = max(item_chunk, k)  # the first chunk fills every query's top k with finite scores
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    accumulation = 2 * queries.shape[1] * 2.0**-23 + 1e-6  # fp32 sums of unit-vector products, generously
    q32 = _unit_rows(queries, "queries", device)
    q_rough, q_norm, q_residual = _split(q32, dtype)
    n_queries = len(q32)
    best = torch.full((n_queries, k), -torch.inf, device=device)
    best_index = torch.full((n_queries, k), -1, dtype=torch.int64, device=device)
    for start in tqdm(range(0, len(items), item_chunk), desc="scoring item chunks", disable=not progress or quiet()):
        i32 = _unit_rows(items[start : start + item_chunk], f"items {start}..{start + item_chunk}", device)
        i_rough, i_norm, i_residual = _split(i32, dtype)
        i_norm, i_residual = i_norm.max(), i_residual.max()
        for q0 in range(0, n_queries, query_block):
            rows = slice(q0, q0 + query_block)
            rough = _rough_scores(q_rough[rows], i_rough)
            error = (q_norm[rows] * i_residual + q_residual[rows] * (i_norm + i_residual)).unsqueeze(1) + accumulation
            if start == 0:  # no running k-th score yet: the chunk's own rough k-th, less twice the error
                threshold = torch.topk(rough, k, dim=1).values[:, -1:].float() - 2 * error
            else:
                threshold = best[rows, -1:] - error
            query_of, item_of = torch.nonzero(rough >= threshold.to(dtype), as_tuple=True)
            if len(query_of) == 0:
                continue
            exact = _exact_scores(q32[rows], i32, query_of, item_of)
            counts = torch.bincount(query_of, minlength=rough.shape[0])
            firsts = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)  # each query's first slot
            slot = torch.arange(len(query_of), device=device) - firsts
            cand = torch.full((rough.shape[0], int(counts.max())), -torch.inf, device=device)
            cand_index = torch.full(cand.shape, -1, dtype=torch.int64, device=device)
            cand[query_of, slot] = exact
            cand_index[query_of, slot] = item_of + start
            best[rows], best_index[rows] = _merge(best[rows], best_index[rows], cand, cand_index, k)
    scores, index = best.cpu().numpy(), best_index.cpu().numpy()
    order = np.lexsort((index, -scores), axis=1)  # best first; equal scores by item position
    return np.take_along_axis(scores, order, 1), np.take_along_axis(index, order, 1)
