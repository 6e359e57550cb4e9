"""Specialised encoders built by the library: a generalist fine-tuned on in-domain or in-task pairs.

    recipes.py  the recipes as plain data (BLaIR's settings, what changed for a CPU) and the encoder keys
                `specialised:<base>@<recipe>[~seed]`
    pairs.py    the training pairs: reviews <-> items (BLaIR), next item in training sequences, any pairs file
    train.py    specialise(key): sentence-transformers' Trainer, InfoNCE, resumable, seeded, with a manifest

A specialised key works wherever an encoder key does (get_encoder, embed, the notebooks): the encoder registry
builds its entry (encoders.registry.specialised_encoder, from recipes.py only) and encoders/weights.py trains the
model on first use (train.py), then reuses it from disk. Nothing here imports the encoder registry at import time
of recipes.py, so the registry can read the recipes without an import cycle.
"""

from __future__ import annotations

from .recipes import PREFIX, RECIPES, Recipe, SpecialisationError, get_recipe, parse_key

__all__ = ["PREFIX", "RECIPES", "Recipe", "SpecialisationError", "get_recipe", "parse_key"]
