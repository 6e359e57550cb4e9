import math

import torch
from recbole.model.layers import FeedForward

import gtebench.recsys  # noqa: F401


def test_fused_gelu_equals_recboles_formula():
    layer = FeedForward(8, 16, 0.0, "gelu", 1e-12)
    x = torch.randn(4, 5, 16) * 3
    reference = x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
    assert torch.allclose(layer.intermediate_act_fn(x), reference, atol=1e-6)
    assert layer.intermediate_act_fn.__func__.__name__ == "_fused_gelu"


def test_stock_recbole_restores_the_reference_and_then_our_fixes():
    from gtebench.recsys import speedups

    with speedups.stock_recbole():
        assert torch.is_anomaly_enabled()
        stock = FeedForward(8, 16, 0.0, "gelu", 1e-12)
        assert stock.intermediate_act_fn.__func__.__name__ == "gelu"
    assert not torch.is_anomaly_enabled()
    assert FeedForward(8, 16, 0.0, "gelu", 1e-12).intermediate_act_fn.__func__.__name__ == "_fused_gelu"


def test_rand_dropout_is_dropout():
    from torch import nn

    from gtebench.recsys.speedups import RandDropout, use_rand_dropout

    torch.manual_seed(0)
    layer = RandDropout(0.2)
    x = torch.ones(200_000)
    y = layer(x)
    assert abs((y == 0).float().mean().item() - 0.2) < 0.005  # the drop probability
    assert torch.allclose(y[y != 0], torch.tensor(1 / 0.8))  # survivors scaled by 1/(1-p)
    layer.eval()
    assert torch.equal(layer(x), x)
    model = nn.Sequential(nn.Dropout(0.5), nn.Linear(3, 3), nn.Sequential(nn.Dropout(0.1)))
    assert use_rand_dropout(model) == 2
    assert [m.p for m in model.modules() if isinstance(m, RandDropout)] == [0.5, 0.1]
    assert not any(type(m) is nn.Dropout for m in model.modules())
