"""Speed fixes for RecBole training that change no numbers (each one tested for equal outputs).

RecBole's FeedForward writes GELU out by hand, x * 0.5 * (1 + erf(x / sqrt 2)): five element-wise ops whose
autograd graph is bigger still. On a 2-core CPU they are over half of a SASRec step. torch's F.gelu is the same
function (exact erf form) in one fused kernel: 1.5x faster per epoch (ID SASRec, hidden 64, 1 thread).

Dropout: torch's CPU dropout draws its mask with bernoulli_, ~34 ns per element here, while torch.rand takes
~7. RandDropout keeps an element when torch.rand_like(x) >= p: the same Bernoulli(1 - p) mask, the same
scaling, seeded by the same torch generator; only the random stream differs from nn.Dropout's, so numbers are
not bit-identical to stock RecBole, the model and its distribution are. Dropout is most of a CPU training step
(SASRec has five dropout layers), so this is a profile switch (TrainingProfile.fast_dropout, on by default).

The other fixes live in compat.py (anomaly detection off) and runner.py (glibc malloc settings per worker).
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn
from torch.nn import functional as F

_RECBOLE_GELU = None  # RecBole's own FeedForward.gelu, kept for stock_recbole()


def _fused_gelu(self, x):
    return F.gelu(x)


def apply() -> None:
    """Swap RecBole's hand-written FeedForward GELU for torch's fused one, keeping the original."""
    global _RECBOLE_GELU
    from recbole.model.layers import FeedForward

    if FeedForward.gelu is not _fused_gelu:
        _RECBOLE_GELU = FeedForward.gelu
        FeedForward.gelu = _fused_gelu


class RandDropout(nn.Module):
    """nn.Dropout with its mask drawn by torch.rand (see the module docstring)."""

    def __init__(self, p: float):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, device=x.device) >= self.p
        return x * keep.to(x.dtype) * (1.0 / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


def use_rand_dropout(model: nn.Module) -> int:
    """Replace every nn.Dropout inside `model` by RandDropout with the same p; return how many were replaced."""
    replaced = 0
    for parent in model.modules():
        for name, child in list(parent.named_children()):
            if type(child) is nn.Dropout:
                setattr(parent, name, RandDropout(child.p))
                replaced += 1
    return replaced


@contextlib.contextmanager
def stock_recbole():
    """RecBole as it behaves out of the box (anomaly detection on, hand-written GELU): the benchmarks' reference.

    Affects models built inside the block (FeedForward binds its activation at construction).
    """
    from recbole.model.layers import FeedForward

    FeedForward.gelu = _RECBOLE_GELU or FeedForward.gelu
    torch.autograd.set_detect_anomaly(True)
    try:
        yield
    finally:
        torch.autograd.set_detect_anomaly(False)
        apply()
