"""Entries built from a name alone: a hub id (`hf:<id>[@revision]`, or a bare `org/name`) or a local folder
(`path:<folder>`, or an existing folder), for models the registry (registry.py) does not list."""

from __future__ import annotations

import re
from pathlib import Path

from .mteb_meta import mteb_settings
from .spec import EncoderError, EncoderSpec


def adhoc_encoder(key: str) -> EncoderSpec:
    """An entry for "hf:<hub id>[@revision]" or "path:<folder>": the model's own pooling through
    sentence-transformers (which falls back to mean pooling for a plain transformers checkpoint), L2-normalised,
    the model's own role prompts if it ships them (own_prompts), dimension read from the first vectors; for a hub
    model mteb's registry knows (mteb installed), its revision, licence and role prompts (encoders.mteb_meta).
    Override any of it with get_encoder(key, field=value)."""
    kind, _, value = key.partition(":")
    if not value:
        raise EncoderError(f"{key!r}: give a hub id after 'hf:' or a folder after 'path:'")
    common = dict(key=key, model_class="generalist-encoder", loader="sentence-transformers", dim=None, params="?",
                  own_prompts=True, notes="ad-hoc entry built from the name")
    if kind == "hf":
        hub_id, _, revision = value.partition("@")
        known = mteb_settings(hub_id, revision or None)  # mteb's revision, licence and prompts, where it knows them
        return EncoderSpec(name=hub_id.split("/")[-1], hub_id=hub_id, **{**common, "revision": revision or "main",
                                                                           **known})
    return EncoderSpec(name=value.rstrip("/").split("/")[-1], offline_source=f"path:{value}", **common)


def bare_model_key(key: str) -> str:
    """An existing folder reads as "path:<folder>" and an "org/name[@revision]" as "hf:<hub id>"; else unchanged."""
    if Path(key).expanduser().is_dir():
        return f"path:{key}"
    if re.fullmatch(r"[\w.-]+/[\w.-]+(@[\w.-]+)?", key):
        return f"hf:{key}"
    return key
