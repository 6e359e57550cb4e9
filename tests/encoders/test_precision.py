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
