"""What mteb's model registry knows about a hub model, as EncoderSpec fields (used when mteb is installed).

mteb (embeddings-benchmark/mteb) keeps each model's metadata as a ModelMeta entry: the hub revision it was evaluated
at, the licence, the parameter count and, for instruction-following models, the prompts its loader adds per role
(`loader_kwargs["model_prompts"]`, keys "query" and "document"). An ad-hoc `hf:<id>` entry takes these from mteb,
so `gtebench evaluate hf:BAAI/bge-small-en-v1.5` encodes at mteb's revision with mteb's query prompt. mteb is an
optional dependency (`pip install -e .[mteb]`); without it, or for a model it does not know, nothing changes.
"""

from __future__ import annotations

MTEB_ROLES = {"query": "query", "document": "item"}  # mteb's prompt type -> our role


def parameter_label(count: int | None) -> str:
    """A parameter count as the registry labels it (33_400_000 -> "33M", 7_100_000_000 -> "7.1B"); "?" if unknown."""
    if not count:
        return "?"
    if count >= 1e9:
        return f"{count / 1e9:.1f}B".replace(".0B", "B")
    return f"{round(count / 1e6)}M"


def mteb_settings(hub_id: str, revision: str | None = None) -> dict:
    """EncoderSpec fields from mteb's ModelMeta of `hub_id`: revision (when none is pinned), licence, params and the
    role prompts; {} when mteb is not installed or does not know the model (or knows another revision)."""
    try:
        import mteb
    except ImportError:
        return {}
    try:
        meta = mteb.get_model_meta(hub_id)
    except (ValueError, KeyError):  # not in mteb's registry
        return {}
    if revision and meta.revision and revision != meta.revision:  # the user's pin wins; mteb's prompts may not fit
        return {}
    settings = {"licence": f"{meta.license} (mteb's model metadata)" if meta.license else None,
                "params": parameter_label(meta.n_parameters), "revision": None if revision else meta.revision}
    prompts = (getattr(meta, "loader_kwargs", None) or {}).get("model_prompts") or {}
    for kind, role in MTEB_ROLES.items():
        if isinstance(prompts.get(kind), str) and prompts[kind]:
            settings[f"{role}_prompt"] = prompts[kind]
    settings = {k: v for k, v in settings.items() if v not in (None, "?")}
    if settings:
        settings["notes"] = f"metadata from mteb's model registry ({', '.join(sorted(settings))})"
    return settings
