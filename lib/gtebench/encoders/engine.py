"""The encoding engine: texts -> float32 vectors for one registry entry and one role (item or query)."""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .offline import resolve_model_path
from .registry import EncoderError, EncoderSpec

log = logging.getLogger(__name__)
PRECISIONS = ("auto", "fp32", "bf16", "fp16")


@functools.lru_cache(maxsize=1)
def cpu_has_bf16() -> bool:
    """AMX units: there bf16 autocast encodes ~2.4x faster than fp32 (offline.md section 7). Without AMX
    (AVX-512 BF16 alone) bf16 autocast measured slower than fp32 here, so fp32 stays the CPU default."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags


def resolve_device(device: str | None = None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_precision(precision: str, device: str) -> str:
    if precision not in PRECISIONS:
        raise EncoderError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "bf16"
    return "bf16" if cpu_has_bf16() else "fp32"


def _autocast(device: str, precision: str):
    import torch

    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu", dtype=dtype)


@dataclass
class EncodeReport:
    n_texts: int
    truncated: int  # texts longer than max_length tokens (cut by the tokenizer)
    precision: str
    device: str


@functools.lru_cache(maxsize=2)
def _load_sentence_transformer(key: str, path: str, device: str, trust_remote_code: bool, max_length: int):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device=device, trust_remote_code=trust_remote_code)
    model.max_seq_length = max_length
    model.eval()
    return model


def _count_truncated(tokenizer, texts: Sequence[str], max_length: int) -> int:
    lengths = [len(ids) for ids in tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]]
    return int(sum(n > max_length for n in lengths))


def encode(
    spec: EncoderSpec,
    texts: Sequence[str],
    role: str = "item",
    *,
    batch_size: int = 64,
    precision: str = "auto",
    device: str | None = None,
    fit_corpus: Sequence[str] | None = None,
    show_progress: bool = True,
) -> tuple[np.ndarray, EncodeReport]:
    """Encode `texts` in the given role. The role's prompt (if any) is prepended by the model's tokenizer path.

    `fit_corpus` is for corpus-fitted encoders (tfidf-svd): they are fitted on the item texts and then
    transform queries; for the item role the texts themselves are the corpus.
    """
    prompt = spec.prompt(role)  # validates role
    texts = list(texts)
    if not texts:
        raise EncoderError(f"nothing to encode for {spec.key!r} ({role}): the text list is empty")
    empty = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if empty:
        raise EncoderError(f"{len(empty)} empty text(s) for {spec.key!r} ({role}) at positions {empty[:5]}")
    device = resolve_device(device)
    if spec.loader == "tfidf-svd":
        from .tfidf import encode_tfidf_svd

        vectors = encode_tfidf_svd(spec, texts, fit_corpus if fit_corpus is not None else texts)
        return vectors, EncodeReport(len(texts), 0, "fp64", "cpu")
    if spec.loader == "sentence-transformers":
        precision = resolve_precision(precision, device)
        model = _load_sentence_transformer(
            spec.key, resolve_model_path(spec), device, spec.trust_remote_code, spec.max_length
        )
        truncated = _count_truncated(model.tokenizer, [(prompt or "") + t for t in texts], spec.max_length)
        if truncated:
            log.info("%s: %d of %d texts exceed %d tokens and are truncated", spec.key, truncated, len(texts), spec.max_length)
        import torch

        with torch.inference_mode(), _autocast(device, precision):
            vectors = model.encode(
                texts,
                prompt=prompt,
                batch_size=batch_size,
                normalize_embeddings=spec.normalize,
                convert_to_numpy=False,
                convert_to_tensor=True,
                show_progress_bar=show_progress,
            )
        vectors = vectors.float().cpu().numpy()
        return vectors.astype(np.float32, copy=False), EncodeReport(len(texts), truncated, precision, device)
    raise EncoderError(f"encoder {spec.key!r}: loader {spec.loader!r} is not implemented")
