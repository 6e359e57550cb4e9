"""Precision of an encoding run: the rule that resolves "auto", what the cache key records, the torch dtypes.

On CUDA the weights themselves are half precision; on CPU the weights stay fp32 and bf16 runs under autocast.
Which of fp32 and bf16 autocast is faster on a CPU is measured, not read from its flags (measured_precision): on an
AVX-512 BF16 EPYC without AMX, bf16 autocast encoded MiniLM 1.5-2x faster than fp32, which the flags-only rule
(bf16 on AMX alone) never chose.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Callable, Sequence

from ..hardware import best_seconds, cpu_has_amx
from .spec import EncoderError, EncoderSpec

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
MEASURED_PRECISIONS = ("fp32", "bf16")  # what a CPU measurement chooses between (fp16 autocast is slow on CPUs)
PROBE_TEXTS = 128  # texts timed per precision: two batches of the engine's default 64
# the probe encodes 3 x PROBE_TEXTS per precision (a warm-up, two timed runs): below this many texts it costs more
# than the faster precision could save (measured: 721 s for mpnet on the 200-item ESCI sample, mostly the probe),
# so a smaller job is encoded in fp32 without timing, and a later, larger one still measures
MEASURE_MIN_TEXTS = 32 * PROBE_TEXTS
log = logging.getLogger(__name__)
_MEASURED: dict[str, tuple[str, dict[str, float]]] = {}  # encoder key -> (choice, seconds per precision)


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


def is_measured(spec: EncoderSpec, precision: str, device: str) -> bool:
    """Whether "auto" is decided by timing here: a local neural model with no dtype of its own, on a CPU."""
    return (precision == "auto" and spec.dtype == "auto" and not device.startswith("cuda")
            and spec.loader not in ("tfidf-svd", "openai"))


def time_encoding(spec: EncoderSpec, texts: Sequence[str], precision: str, encode_fn: Callable,
                  repeats: int = 2) -> float:
    """Seconds (best of `repeats`, after a warm-up that also loads the model) to encode `texts` on the CPU.

    Args:
        spec: the encoder; texts: the probe texts; precision: "fp32" or "bf16".
        encode_fn: the engine's encode (passed in: the engine imports this module) or a stand-in with its
            signature; repeats: timed runs.
    """
    def run():
        encode_fn(spec, list(texts), "item", precision=precision, device="cpu", show_progress=False)

    return best_seconds(run, repeats)


def measured_precision(spec: EncoderSpec, texts: Sequence[str], timer: Callable[[str], float] | None = None,
                       encode_fn: Callable | None = None) -> str:
    """fp32 or bf16 autocast, whichever encodes PROBE_TEXTS of these real texts faster on this CPU (fp32 on a tie),
    measured once per process and encoder (fp32 untimed below MEASURE_MIN_TEXTS texts). `timer(precision)`
    replaces time_encoding (tests inject one); `encode_fn` is the encode function time_encoding times (the cache
    passes the engine's); `spec`: the encoder;
    `texts`: the texts to be encoded (their first PROBE_TEXTS are timed)."""
    if spec.key not in _MEASURED:
        if len(texts) < MEASURE_MIN_TEXTS:
            return "fp32"
        if timer is None and encode_fn is None:
            raise ValueError("measured_precision needs encode_fn (the engine's encode) or a timer")
        probe = list(texts[:PROBE_TEXTS])
        timer = timer or (lambda p: time_encoding(spec, probe, p, encode_fn))
        timings = {"fp32": float(timer("fp32"))}
        try:
            timings["bf16"] = float(timer("bf16"))
        except RuntimeError as error:  # an op without a bf16 CPU kernel: fp32, said once
            log.warning("bf16 autocast failed for %s (%s); encoding in fp32", spec.key, error)
            timings["bf16"] = float("inf")
        _MEASURED[spec.key] = ("bf16" if timings["bf16"] < timings["fp32"] else "fp32"), timings
        log.info("encoding precision of %s on this CPU: %s (seconds per %d texts: %s)", spec.key,
                 *_MEASURED[spec.key][:1], len(probe), timings)
    return _MEASURED[spec.key][0]


def measured_choices() -> dict[str, tuple[str, dict[str, float]]]:
    """What this process measured so far: encoder key -> (choice, seconds per precision)."""
    return dict(_MEASURED)
