"""Precision of an encoding run: the rule that resolves "auto", what the cache key records, the torch dtypes.

On CUDA the weights themselves are half precision; on CPU the weights stay fp32 and bf16 runs under autocast.
"""

from __future__ import annotations

import contextlib

from ..hardware import cpu_has_amx
from .spec import EncoderError, EncoderSpec

PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def resolve_encoding_precision(precision: str, device: str, preferred: str = "auto") -> str:
    """`precision` unless "auto"; then the entry's own dtype (`preferred`, the paper's setting) or the device's
    best: bf16 on CUDA and on AMX CPUs, fp32 elsewhere."""
    if precision not in PRECISIONS:
        raise EncoderError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision
    if preferred != "auto":
        return preferred
    if device.startswith("cuda"):
        return "bf16"
    # AMX only: with AVX-512 BF16 alone bf16 autocast measured slower than fp32 for whole encoders
    return "bf16" if cpu_has_amx() else "fp32"


def effective_precision(spec: EncoderSpec, precision: str, device: str) -> str:
    """What the cache key records: the torch precision for local models; "fp64" for TF-IDF + SVD and "api" for
    the OpenAI API, whose vectors do not depend on the local device or precision (so no re-query on a GPU box)."""
    if spec.loader == "tfidf-svd":
        return "fp64"
    if spec.loader == "openai":
        return "api"
    return resolve_encoding_precision(precision, device, spec.dtype)


def _torch_dtype(precision: str):
    import torch

    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def _weights_dtype(precision: str, device: str):
    """On CUDA half-precision weights (half the memory, no casts); on CPU fp32 weights under autocast, the
    combination that is fast where the CPU has native bf16 (AMX), with cosines to fp32 vectors above 0.9999."""
    return _torch_dtype(precision) if device.startswith("cuda") else _torch_dtype("fp32")


def _autocast(device: str, precision: str):
    import torch

    if precision in ("fp32", "api") or device.startswith("cuda"):
        return contextlib.nullcontext()
    return torch.autocast(device_type="cpu", dtype=_torch_dtype(precision))
