"""Backbones as plain data: RecBole model, text model, and the paper's hyper-parameters for each variant.

Hyper-parameters from the paper's code (paper.md section 2.3): the ID baselines use RecBole SASRec with hidden
300 and GRU4Rec with embedding 300 / hidden 256; the text variants (SASRecText, GRU4RecText) use width 64 and
the adaptor [plm_dim, 300, 64] with dropout 0.2. UniSRec (inductive fine-tuning, text only) is SASRec with hidden
300 over a mixture of 8 parametric-whitening experts [plm_dim, 300] (dropout 0.2), cosine scores / temperature 0.07.

BERT4Rec is not in the paper (the design card adds it): RecBole's BERT4Rec with the paper's SASRec sizes (2 layers,
2 heads, inner 256, hidden 300 for IDs and 64 for text, as SASRec) but BERT4Rec's own regularisation: dropout
0.2/0.2 (RecBole's and the BERT4Rec paper's value; masking 20% of the items already regularises, and SASRec's 0.5
on top of it starves the masked-item task), mask_ratio 0.2 and ft_ratio 0.5 (RecBole's defaults: half the batches
mask only the last item, as at test time). Every BERT4Rec setting is written here, not left to RecBole's
BERT4Rec.yaml, because BERT4RecText has no yaml of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..hints import did_you_mean

VARIANTS = ("id", "text")


class BackboneError(ValueError):
    pass


@dataclass(frozen=True)
class Backbone:
    key: str
    name: str
    id_network: str  # the class for the ID variant: RecBole's, else one in gtebench.recsys.networks; "" if none
    text_network: str  # the class for the text variant in gtebench.recsys.networks; "" if none
    id_params: dict = field(default_factory=dict)
    text_params: dict = field(default_factory=dict)
    variants: tuple[str, ...] = VARIANTS  # ("text",) for a text-only model such as UniSRec
    baseline: bool = False  # a non-personalised, untrained ranker: one row per dataset, not a backbone to pick
    # each position's output depends only on the items up to it (causal attention, a forward GRU), so one pass over
    # a sequence gives every prefix's output and profile.training_targets "all-positions" applies (all_positions.py)
    causal: bool = False

    def __post_init__(self) -> None:
        if not self.variants or set(self.variants) - set(VARIANTS):
            raise BackboneError(f"backbone {self.key!r}: variants must be a non-empty subset of {VARIANTS}, "
                                f"got {self.variants}")
        if "id" in self.variants and not self.id_network:
            raise BackboneError(f"backbone {self.key!r} has an 'id' variant but no id_network")
        if "text" in self.variants and not self.text_network:
            raise BackboneError(f"backbone {self.key!r} has a 'text' variant but no text_network")

    def params(self, variant: str) -> dict:
        if variant not in self.variants:
            raise BackboneError(f"backbone {self.key!r} has variants {self.variants}, got {variant!r}")
        return dict(self.id_params if variant == "id" else self.text_params)


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

_BERT4REC_COMMON = {
    **_SASREC_COMMON,
    "hidden_dropout_prob": 0.2,
    "attn_dropout_prob": 0.2,
    "mask_ratio": 0.2,
    "ft_ratio": 0.5,
    "transform": "mask_itemseq",
}
_UNISREC = {
    **_SASREC_COMMON,
    "hidden_size": 300,  # also the experts' output width: adaptor_layers [plm_dim, 300]
    "n_exps": 8,
    "adaptor_dropout_prob": 0.2,
    "adaptor_gate_noise": True,  # UniSRec's MoEAdaptorLayer(noise=True): noisy gate logits in training
    "temperature": 0.07,
    "train_stage": "inductive_ft",  # recorded for the reader; the class implements only this stage
    "adaptor_per_position": True,
}

BACKBONES: dict[str, Backbone] = {
    "sasrec": Backbone(
        key="sasrec",
        name="SASRec",
        id_network="SASRec",
        text_network="SASRecText",
        id_params={**_SASREC_COMMON, "hidden_size": 300},
        text_params={**_SASREC_COMMON, "hidden_size": 64, **_ADAPTOR},
        causal=True,
    ),
    "gru4rec": Backbone(
        key="gru4rec",
        name="GRU4Rec",
        id_network="GRU4Rec",
        text_network="GRU4RecText",
        id_params={**_GRU4REC_COMMON, "embedding_size": 300, "hidden_size": 256},
        text_params={**_GRU4REC_COMMON, "embedding_size": 64, "hidden_size": 64, **_ADAPTOR},
        causal=True,
    ),
    "unisrec": Backbone(
        key="unisrec",
        name="UniSRec",
        id_network="",
        text_network="UniSRec",
        text_params=_UNISREC,
        variants=("text",),
        causal=True,
    ),
    "bert4rec": Backbone(
        key="bert4rec",
        name="BERT4Rec",
        id_network="BERT4Rec",
        text_network="BERT4RecText",
        id_params={**_BERT4REC_COMMON, "hidden_size": 300},
        text_params={**_BERT4REC_COMMON, "hidden_size": 64, **_ADAPTOR},
    ),
    "popularity": Backbone(
        key="popularity",
        name="Popularity",
        id_network="Popularity",
        text_network="",
        variants=("id",),
        baseline=True,
    ),
}


def get_backbone(key: str) -> Backbone:
    """The named backbone; an unknown key is a BackboneError listing the known ones."""
    if key not in BACKBONES:
        hint = did_you_mean(key, BACKBONES)
        raise BackboneError(f"unknown backbone {key!r}; known backbones: {sorted(BACKBONES)}.{hint}")
    return BACKBONES[key]
