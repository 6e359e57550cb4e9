"""Where an entry's weights are and what identifies them, for every kind of entry: the packaged, local and hub
models (offline.py) and the specialised ones, which gtebench.specialise trains on first use.

The engine loads from model_path() and the embedding cache keys on weights_id(); both dispatch here so that
offline.py, which the specialisation trainer itself uses for its base model, never imports the trainer.
"""

from __future__ import annotations

from .offline import resolve_model_path, weights_version
from .spec import EncoderSpec

SPECIALISED = "specialised:"


def model_path(spec: EncoderSpec) -> str:
    """A local folder (or a hub id) to load the entry from; a specialised entry is trained first if missing."""
    if (spec.offline_source or "").startswith(SPECIALISED):
        from ..specialise.train import specialise

        return str(specialise(spec.offline_source[len(SPECIALISED):]))
    return resolve_model_path(spec)


def weights_id(spec: EncoderSpec) -> str:
    """What identifies the weights in a cache key; for a specialised entry its folder's name, which hashes the
    base model, the recipe, the seed and the pairs (trained first if missing)."""
    if (spec.offline_source or "").startswith(SPECIALISED):
        from ..specialise.train import specialise

        return f"specialised-{specialise(spec.offline_source[len(SPECIALISED):]).name}"
    return weights_version(spec)
