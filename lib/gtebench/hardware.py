"""What this machine's processor can do fast: its feature flags, read once from /proc/cpuinfo (Linux; elsewhere
none), and measured fp32 matmul rates of the two BLAS libraries in the process.

bf16 is only worth it where the CPU multiplies bf16 natively: AVX-512 BF16 (bf16 dot products; a bf16 matmul ran
~3x faster than fp32 on such a CPU, benchmarks/RESULTS.md) or AMX (bf16 matrix tiles; bf16 autocast encoded 2.4x
faster, offline.md section 7). Elsewhere torch emulates bf16 and a bf16 matmul is several times *slower* than fp32
(6x on an AVX2-only CPU, measured), so callers fall back to fp32.
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def cpu_has_amx() -> bool:
    """AMX bf16 tiles: bf16 autocast pays off for whole transformer encoders."""
    return "amx_bf16" in cpu_flags()


def cpu_has_bf16_dot() -> bool:
    """Native bf16 dot products (AVX-512 BF16 or AMX): a bf16 matmul beats an fp32 one."""
    return bool({"avx512_bf16", "amx_bf16"} & cpu_flags())


def fp32_matmul_rates(m: int, k: int, n: int, repeats: int = 3) -> dict[str, float]:
    """GFLOP/s of an (m x k) @ (k x n) fp32 product through numpy's BLAS (OpenBLAS in the wheels) and torch's
    (MKL), best of `repeats` after a warm-up. They differ by CPU: on an AMD EPYC (AVX2) OpenBLAS ran 133 GFLOP/s
    against MKL's 100 (2 threads, 2048 x 384 x 65536); on Intel CPUs MKL is usually the faster."""
    import time

    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    rates = {}
    for name, multiply in (("numpy", lambda: a @ b), ("torch", lambda: ta @ tb)):
        multiply()
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            multiply()
            best = min(best, time.perf_counter() - start)
        rates[name] = 2 * m * k * n / best / 1e9
    return rates
