"""The fields of an encoder registry entry (EncoderSpec) and their checks; the entries are in registry.py."""

from __future__ import annotations

from dataclasses import dataclass

MODEL_CLASSES = ("classic", "specialised", "generalist-encoder", "generalist-decoder", "closed", "lexical")
LOADERS = ("sentence-transformers", "transformers", "nv-embed", "openai", "tfidf-svd")
POOLINGS = ("model", "cls", "mean", "pooler", "none")
DTYPES = ("auto", "fp32", "bf16", "fp16")
# Poolings this package computes itself; "model" means the model's own modules or method.
OWN_POOLINGS = ("cls", "mean", "pooler")
PAPER_MAX_LENGTH = 512  # every script of the authors encodes with max length 512


class EncoderError(ValueError):
    """Unknown model, missing weights, or an invalid encoder setting."""


@dataclass(frozen=True)
class EncoderSpec:
    key: str
    name: str  # as printed in tables
    model_class: str
    loader: str
    dim: int | None  # None only for ad-hoc "hf:"/"path:" entries: taken from the first vectors encoded
    params: str  # parameter count as a label ("22M"); "-" where it does not apply
    hub_id: str | None = None
    revision: str | None = None  # a 40-hex hub commit for paper entries (REVISION_SOURCES in registry.py)
    pooling: str = "model"  # "model": the model's own pooling (sentence-transformers modules, NV-Embed's encode)
    normalize: bool = True  # L2-normalise the output on top of whatever the model does
    max_length: int = PAPER_MAX_LENGTH
    dtype: str = "auto"  # the paper's precision for this model; "auto": the engine's choice for the device
    query_prompt: str | None = None  # literal text put before each query
    item_prompt: str | None = None
    query_prompt_name: str | None = None  # a prompt the model ships (config_sentence_transformers.json)
    item_prompt_name: str | None = None
    pool_prompt: bool = True  # False: prompt tokens stay out of the pooling (INSTRUCTOR); sentence-transformers only
    # True: a role without a prompt takes the model's own one (engine.OWN_PROMPT_NAMES), as E5/BGE-style models expect
    own_prompts: bool = False
    trust_remote_code: bool = False
    # Extra from_pretrained / SentenceTransformer arguments as (name, value) pairs (a tuple keeps the spec hashable).
    model_kwargs: tuple = ()
    config_kwargs: tuple = ()
    # pip requirement strings the model's own code needs (versions it loads under, packages it imports); checked
    # before loading (encoders/requirements.py), so a mismatch fails with the fix, not inside remote code
    requires: tuple = ()
    offline_source: str | None = None
    licence: str = "unknown (see the model card)"  # the weights' licence, as the model card states it
    notes: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.model_class not in MODEL_CLASSES:
            problems.append(f"model_class {self.model_class!r} not in {MODEL_CLASSES}")
        if self.loader not in LOADERS:
            problems.append(f"loader {self.loader!r} not in {LOADERS}")
        if self.pooling not in POOLINGS:
            problems.append(f"pooling {self.pooling!r} not in {POOLINGS}")
        if self.dtype not in DTYPES:
            problems.append(f"dtype {self.dtype!r} not in {DTYPES}")
        if (self.dim is not None and self.dim < 1) or self.max_length < 1:
            problems.append(f"dim ({self.dim}) and max_length ({self.max_length}) must be positive")
        neural = self.loader in ("sentence-transformers", "transformers", "nv-embed")
        if neural and not (self.hub_id or self.offline_source):
            problems.append("a neural encoder needs a hub_id or an offline_source")
        if self.loader == "transformers" and self.pooling not in OWN_POOLINGS:
            problems.append(f"the transformers loader pools with one of {OWN_POOLINGS}, not {self.pooling!r}")
        if self.loader != "transformers" and self.pooling in OWN_POOLINGS:
            problems.append(f"pooling {self.pooling!r} needs loader='transformers' (got {self.loader!r})")
        for role in ("query", "item"):
            if getattr(self, f"{role}_prompt") is not None and getattr(self, f"{role}_prompt_name") is not None:
                problems.append(f"give {role}_prompt or {role}_prompt_name, not both")
            if getattr(self, f"{role}_prompt_name") is not None and self.loader != "sentence-transformers":
                problems.append(f"{role}_prompt_name needs the sentence-transformers loader (the model's own prompts)")
        if self.own_prompts and self.loader != "sentence-transformers":
            problems.append("own_prompts needs the sentence-transformers loader (it reads the model's prompts)")
        if not self.pool_prompt and self.loader != "sentence-transformers":
            problems.append("pool_prompt=False needs the sentence-transformers loader (its Pooling module drops them)")
        if problems:
            raise EncoderError(f"encoder {self.key!r}: " + "; ".join(problems))

    def _check_role(self, role: str) -> None:
        if role not in ("item", "query"):
            raise EncoderError(f"role must be 'item' or 'query', got {role!r}")

    def prompt(self, role: str) -> str | None:
        """The literal text put before each text of this role (None: no prompt)."""
        self._check_role(role)
        return self.query_prompt if role == "query" else self.item_prompt

    def prompt_name(self, role: str) -> str | None:
        """The name of a prompt the model ships, resolved by sentence-transformers (None: none)."""
        self._check_role(role)
        return self.query_prompt_name if role == "query" else self.item_prompt_name
