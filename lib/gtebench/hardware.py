"""What this machine's processor can do fast: its feature flags, read once from /proc/cpuinfo (Linux; elsewhere
none), and measured fp32 matmul rates of the two BLAS libraries in the process.

bf16 is only worth it where the CPU multiplies bf16 natively: AVX-512 BF16 (bf16 dot products) or AMX (bf16 matrix
tiles). Elsewhere torch emulates bf16 and a bf16 matmul is several times *slower* than fp32, so callers fall back
to fp32 (the measured rates are in benchmarks/RESULTS.md).
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU flags listed in /proc/cpuinfo; empty where it cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def resolve_device(device: str | None = None) -> str:
    """`device` when given, else "cuda" when a GPU is present, else "cpu"."""
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def synchronise(device: str = "cuda") -> None:
    """Wait for `device`'s queued work (CUDA calls return at once), so a timer read next measures that work."""
    import torch

    if device.startswith("cuda") and torch.cuda.is_available():
        torch.cuda.synchronize()


def cpu_has_amx() -> bool:
    """AMX bf16 tiles: bf16 autocast pays off for whole transformer encoders."""
    return "amx_bf16" in cpu_flags()


def cpu_has_bf16_dot() -> bool:
    """Native bf16 dot products (AVX-512 BF16 or AMX): a bf16 matmul beats an fp32 one."""
    return bool({"avx512_bf16", "amx_bf16"} & cpu_flags())


def best_seconds(function, repeats: int = 2) -> float:
    """The fastest of `repeats` timed calls of `function`, after one untimed warm-up call."""
    import time

    function()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def fp32_matmul_rates(m: int, k: int, n: int, repeats: int = 3) -> dict[str, float]:
    """GFLOP/s of an (m x k) @ (k x n) fp32 product through numpy's BLAS (OpenBLAS in the wheels) and torch's
    (MKL), best of `repeats` after a warm-up. Which is faster depends on the CPU (benchmarks/RESULTS.md), so
    callers measure instead of assuming."""

    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    rates = {}
    for name, multiply in (("numpy", lambda: a @ b), ("torch", lambda: ta @ tb)):
        rates[name] = 2 * m * k * n / best_seconds(multiply, repeats) / 1e9
    return rates


# Dense bf16 tensor-core peaks (TFLOP/s, no sparsity) from the vendors' datasheets, matched against
# torch.cuda.get_device_name(); the SXM parts' numbers (PCIe cards of the same name run lower clocks).
BF16_DENSE_TFLOPS: dict[str, float] = {
    "H200": 989.0,
    "H100": 989.0,
    "GH200": 989.0,
    "B200": 2250.0,
    "A100": 312.0,
    "A800": 312.0,
    "L40S": 362.0,
    "L40": 181.0,
    "L4": 121.0,
    "A10G": 70.0,
    "A10": 125.0,
    "RTX 4090": 165.0,
    "RTX 3090": 71.0,
}


def datasheet_bf16_tflops(device_name: str) -> float | None:
    """The datasheet's dense bf16 peak for a GPU name such as "NVIDIA H200", or None when it is not listed.
    The longest matching key wins, so "L40S" is not read as "L40" nor "A10G" as "A10"."""
    matches = [key for key in BF16_DENSE_TFLOPS if key.lower() in device_name.lower()]
    return BF16_DENSE_TFLOPS[max(matches, key=len)] if matches else None


def bf16_matmul_tflops(device: str = "cuda", n: int = 8192, repeats: int = 10) -> float:
    """TFLOP/s of an n x n x n bf16 matmul on `device`: the practical peak a whole model is measured against."""
    import time

    import torch

    a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    a @ b
    synchronise(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    synchronise(device)
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e12
