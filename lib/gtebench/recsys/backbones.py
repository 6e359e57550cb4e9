"""Backbones as plain data: RecBole model, text model, and the paper's hyper-parameters for each variant.

Hyper-parameters from the paper's code (paper.md section 2.3): the ID baselines use RecBole SASRec with hidden
300 and GRU4Rec with embedding 300 / hidden 256; the text variants (SASRecText, GRU4RecText) use width 64 and
the adaptor [plm_dim, 300, 64] with dropout 0.2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ..registry import did_you_mean

VARIANTS = ("id", "text")


class BackboneError(ValueError):
    pass


@dataclass(frozen=True)
class Backbone:
    key: str
    name: str
    recbole_model: str  # the RecBole class for the ID variant
    text_model: str  # a class in gtebench.recsys.models
    id_params: dict = field(default_factory=dict)
    text_params: dict = field(default_factory=dict)
    baseline: bool = False  # a non-personalised, untrained ranker: ID variant only, one row per dataset

    def params(self, variant: str) -> dict:
        if variant not in self.variants:
            raise BackboneError(f"backbone {self.key!r} has variants {self.variants}, got {variant!r}")
        return dict(self.id_params if variant == "id" else self.text_params)

    @property
    def variants(self) -> tuple[str, ...]:
        return ("id",) if self.baseline else VARIANTS


_SASREC_COMMON = {
    "n_layers": 2,
    "n_heads": 2,
    "inner_size": 256,
    "hidden_dropout_prob": 0.5,
    "attn_dropout_prob": 0.5,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "loss_type": "CE",
}

_GRU4REC_COMMON = {"num_layers": 2, "dropout_prob": 0.3, "loss_type": "CE"}
_ADAPTOR = {
    "adaptor_hidden": [300],
    "adaptor_dropout": 0.2,
    "adaptor_per_position": True,  # the paper's code adapts every position of the input sequence
}

BACKBONES: dict[str, Backbone] = {
    "sasrec": Backbone(
        key="sasrec",
        name="SASRec",
        recbole_model="SASRec",
        text_model="SASRecText",
        id_params={**_SASREC_COMMON, "hidden_size": 300},
        text_params={**_SASREC_COMMON, "hidden_size": 64, **_ADAPTOR},
    ),
    "gru4rec": Backbone(
        key="gru4rec",
        name="GRU4Rec",
        recbole_model="GRU4Rec",
        text_model="GRU4RecText",
        id_params={**_GRU4REC_COMMON, "embedding_size": 300, "hidden_size": 256},
        text_params={**_GRU4REC_COMMON, "embedding_size": 64, "hidden_size": 64, **_ADAPTOR},
    ),
    "popularity": Backbone(
        key="popularity",
        name="Popularity",
        recbole_model="Popularity",
        text_model="",
        baseline=True,
    ),
}


def get_backbone(key: str) -> Backbone:
    if key not in BACKBONES:
        hint = did_you_mean(key, BACKBONES)
        raise BackboneError(f"unknown backbone {key!r}; known backbones: {sorted(BACKBONES)}.{hint}")
    return BACKBONES[key]
