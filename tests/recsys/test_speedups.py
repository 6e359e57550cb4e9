import math

import torch

import gtebench.recsys  # noqa: F401
from recbole.model.layers import FeedForward


def test_fused_gelu_equals_recboles_formula():
    layer = FeedForward(8, 16, 0.0, "gelu", 1e-12)
    x = torch.randn(4, 5, 16) * 3
    reference = x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
    assert torch.allclose(layer.intermediate_act_fn(x), reference, atol=1e-6)
    assert layer.intermediate_act_fn.__func__.__name__ == "_fused_gelu"
