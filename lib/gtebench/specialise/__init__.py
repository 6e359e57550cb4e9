"""Specialised encoders built by the library: a generalist fine-tuned on in-domain or in-task pairs.

    recipes.py  the recipes as plain data (BLaIR's settings, what changed for a CPU) and the encoder keys
                `specialised:<base>@<recipe>[~seed]`
    pairs.py    the training pairs: reviews <-> items (BLaIR), next item in training sequences, any pairs file
    train.py    specialise(key): sentence-transformers' Trainer, InfoNCE, resumable, seeded, with a manifest

A specialised key works wherever an encoder key does (get_encoder, embed, the notebooks): the encoder registry
builds its entry (specialised_encoder) and the model is trained on first use, then reused from disk.
"""

from __future__ import annotations

from .recipes import PREFIX, RECIPES, Recipe, SpecialisationError, get_recipe, parse_key


def specialised_encoder(key: str):
    """The registry entry of `specialised:<base>@<recipe>`: the base's settings (pooling, prompts, normalisation),
    class "specialised", weights from the trained folder (offline_source "specialised:<key>")."""
    from dataclasses import replace

    from ..encoders.registry import get_encoder

    parsed = parse_key(key)
    base = get_encoder(parsed.base)
    if base.loader != "sentence-transformers":
        raise SpecialisationError(f"base encoder {parsed.base!r} loads with {base.loader!r}; specialisation trains "
                                  "sentence-transformers models (e.g. minilm-l6, mpnet-base, hf:<hub id>)")
    return replace(base, key=parsed.key, name=f"{base.name} + {parsed.recipe.key}", model_class="specialised",
                   hub_id=None, revision=None, offline_source=f"specialised:{parsed.key}",
                   notes=f"{parsed.base} fine-tuned with recipe {parsed.recipe.key!r} (seed {parsed.seed}): "
                   f"{parsed.recipe.description}")


__all__ = ["PREFIX", "RECIPES", "Recipe", "SpecialisationError", "get_recipe", "parse_key", "specialised_encoder"]
