"""The precision rules of an encoding run: "auto", what the cache key records, the dtypes per device."""

import contextlib

import pytest
import torch

from gtebench.encoders.precision import _autocast, _weights_dtype, effective_precision, resolve_encoding_precision
from gtebench.encoders.registry import EncoderError, get_encoder


def test_an_explicit_precision_wins_then_the_models_own_then_the_devices_best():
    with pytest.raises(EncoderError, match="precision"):
        resolve_encoding_precision("fp8", "cpu")
    assert resolve_encoding_precision("auto", "cuda") == "bf16"
    # the paper's dtype for the model wins
    assert resolve_encoding_precision("auto", "cuda", preferred="fp32") == "fp32"
    assert resolve_encoding_precision("fp16", "cuda", preferred="bf16") == "fp16"  # an explicit choice wins over both


def test_tfidf_and_api_vectors_record_a_precision_independent_of_the_device():
    assert effective_precision(get_encoder("tfidf-svd"), "bf16", "cuda") == "fp64"
    assert effective_precision(get_encoder("minilm-l6"), "fp32", "cpu") == "fp32"
    assert effective_precision(get_encoder("text-embedding-3-large"), "auto", "cpu") == "api"


def test_half_precision_is_weights_on_cuda_and_autocast_on_cpu():
    assert _weights_dtype("bf16", "cuda") == torch.bfloat16 and _weights_dtype("fp16", "cuda:1") == torch.float16
    assert _weights_dtype("bf16", "cpu") == torch.float32
    assert isinstance(_autocast("cuda", "bf16"), contextlib.nullcontext)
    assert isinstance(_autocast("cpu", "fp32"), contextlib.nullcontext)
    with _autocast("cpu", "bf16"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16


def test_auto_on_a_cpu_follows_the_measured_timings_not_the_flags(monkeypatch):
    from gtebench import hardware
    from gtebench.encoders import precision

    monkeypatch.setattr(precision, "_MEASURED", {})
    minilm, mpnet = get_encoder("minilm-l6"), get_encoder("mpnet-base")
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))  # no AMX
    timed = []

    def faster_bf16(p):
        timed.append(p)
        return {"fp32": 1.5, "bf16": 1.0}[p]

    few = ["a"] * (precision.MEASURE_MIN_TEXTS - 1)
    assert precision.measured_precision(minilm, few, timer=faster_bf16) == "fp32" and not timed  # the probe costs more
    many = ["a"] * precision.MEASURE_MIN_TEXTS
    assert precision.measured_precision(minilm, many, timer=faster_bf16) == "bf16"  # the flags said fp32
    assert timed == ["fp32", "bf16"]
    assert precision.measured_precision(minilm, ["a"], timer=lambda p: 1 / 0) == "bf16"  # once per process
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"amx_bf16"}))
    assert precision.measured_precision(mpnet, many, timer={"fp32": 1.0, "bf16": 1.2}.__getitem__) == "fp32"
    assert precision.measured_choices()["mpnet-base"] == ("fp32", {"fp32": 1.0, "bf16": 1.2})
    assert precision.is_measured(minilm, "auto", "cpu") and not precision.is_measured(minilm, "auto", "cuda")
    assert not precision.is_measured(minilm, "fp32", "cpu") and not precision.is_measured(get_encoder("kalm"), "auto",
                                                                                         "cpu")  # its own dtype
    assert not precision.is_measured(get_encoder("tfidf-svd"), "auto", "cpu")


def test_embed_auto_measures_once_then_reuses_either_cached_precision(monkeypatch):
    import numpy as np
    import pandas as pd

    from gtebench.encoders import cache, chunks, precision
    from gtebench.encoders.engine import EncodeReport

    monkeypatch.setattr(precision, "_MEASURED", {})
    measured, encoded = [], []
    monkeypatch.setattr(cache, "measured_precision", lambda spec, texts, **k: measured.append(len(texts)) or "bf16")

    def fake_encode(spec, texts, role, **kwargs):
        encoded.append(kwargs["precision"])
        return np.ones((len(texts), spec.dim), dtype=np.float32), EncodeReport(len(texts), 0, "bf16", "cpu")

    monkeypatch.setattr(chunks, "encode", fake_encode)  # the chunks' encoder (the cache times with its own)
    texts = pd.Series(["x", "y"], index=["a", "b"])
    first = cache.embed("minilm-l6", texts, dataset="measured", recipe_hash="r", device="cpu", show_progress=False)
    assert measured == [2] and encoded == ["bf16"] and first.meta["key"]["precision"] == "bf16"
    monkeypatch.setattr(cache, "measured_precision", lambda spec, texts, **k: "fp32")  # a later process: fp32
    again = cache.embed("minilm-l6", texts, dataset="measured", recipe_hash="r", device="cpu", show_progress=False)
    assert again.from_cache and encoded == ["bf16"]  # the bf16 vectors are reused: no re-encoding
