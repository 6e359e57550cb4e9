"""Specialised encoder keys and recipes: parsing, seeds, and the errors a typo gets."""

import pytest

from gtebench.encoders.registry import get_encoder
from gtebench.specialise import RECIPES, Recipe, SpecialisationError, get_recipe, parse_key


def test_keys_name_the_base_the_recipe_and_the_seed():
    parsed = parse_key("specialised:minilm-l6@blair-reviews")
    assert (parsed.base, parsed.recipe.key, parsed.seed) == ("minilm-l6", "blair-reviews", 2020)
    seeded = parse_key("specialised:minilm-l6@next-item~2021")
    assert seeded.seed == 2021 and seeded.key == "specialised:minilm-l6@next-item~2021"
    hub = parse_key("specialised:hf:org/model@abc123@pairs:/data/my pairs.jsonl")  # the last '@' starts the recipe
    assert hub.base == "hf:org/model@abc123" and dict(hub.recipe.options) == {"path": "/data/my pairs.jsonl"}
    assert hub.recipe.builder == "pairs_file" and hub.recipe.temperature == RECIPES["blair-reviews"].temperature
    assert hub.recipe.max_pairs is None  # every pair of the user's file, not the CPU recipes' sample


@pytest.mark.parametrize("key, message", [
    ("minilm-l6@blair-reviews", "not a specialised encoder key"),
    ("specialised:minilm-l6", r"expected specialised:<base encoder>@<recipe>"),
    ("specialised:minilm-l6@blair-review", r"unknown specialisation recipe 'blair-review'.*blair-reviews"),
    ("specialised:minilm-l6@next-item~two", "seed after '~' must be an integer"),
    ("specialised:specialised:minilm-l6@next-item@blair-reviews", "cannot be the base of another"),
    ("specialised:minilm-l6@pairs:", "give a pairs file"),
])
def test_malformed_keys_are_refused_with_the_fix(key, message):
    with pytest.raises(SpecialisationError, match=message):
        parse_key(key)


def test_the_registry_builds_the_entry_from_its_base():
    spec = get_encoder("specialised:minilm-l6@blair-reviews")
    base = get_encoder("minilm-l6")
    assert spec.model_class == "specialised" and spec.dim == base.dim and spec.pooling == base.pooling
    assert spec.offline_source == "specialised:specialised:minilm-l6@blair-reviews" and spec.hub_id is None
    assert spec.name == f"{base.name} + blair-reviews"
    with pytest.raises(SpecialisationError, match="specialisation trains sentence-transformers models"):
        get_encoder("specialised:tfidf-svd@blair-reviews")
    with pytest.raises(ValueError, match="unknown encoder 'minilm'"):
        get_encoder("specialised:minilm@blair-reviews")


def test_recipe_settings_are_checked():
    assert get_recipe("next-item").kind == "task" and get_recipe("blair-reviews").kind == "domain"
    with pytest.raises(SpecialisationError, match="temperature must be in"):
        Recipe(key="x", kind="task", builder="pairs_file", temperature=0)
    with pytest.raises(SpecialisationError, match="kind 'general' not in"):
        Recipe(key="x", kind="general", builder="pairs_file")
    with pytest.raises(SpecialisationError, match="max_pairs .* at least one batch"):
        Recipe(key="x", kind="task", builder="pairs_file", max_pairs=10)
