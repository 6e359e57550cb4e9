import pandas as pd
import pytest

from gtebench.data.errors import DataError
from gtebench.text import get_recipe, item_texts, template_recipe


def test_movielens_recipe_matches_hand_written_strings():
    items = pd.DataFrame(
        {
            "item_id": ["1", "267", "9"],
            "title": ["Toy Story", "unknown", "Dead Man Walking"],
            "year": ["1995", "", "1995"],
            "genres": [["Animation", "Children's", "Comedy"], ["unknown"], []],
        }
    )
    texts = item_texts(items, get_recipe("movielens"))
    assert texts.to_dict() == {
        "1": "Toy Story (1995). Genres: Animation, Children's, Comedy.",
        "267": "unknown. Genres: unknown.",
        "9": "Dead Man Walking (1995).",
    }


def test_template_recipe_joins_lists_and_blanks_missing_fields():
    recipe = template_recipe("mine", "{title}. Brand: {brand}. Tags: {tags}")
    record = {"item_id": "a", "title": "Lamp", "tags": ["desk", "LED"]}
    assert recipe.render(record) == "Lamp. Brand: . Tags: desk, LED"


def test_recipe_hash_changes_with_the_template():
    assert template_recipe("x", "{title}").hash != template_recipe("x", "{title}!").hash
    assert get_recipe("movielens").hash == get_recipe("movielens").hash


def test_empty_text_is_an_error_naming_the_item():
    items = pd.DataFrame({"item_id": ["7"], "title": [""]})
    with pytest.raises(DataError, match=r"'7'"):
        item_texts(items, template_recipe("t", "{title}"))


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(DataError, match="movielens"):
        get_recipe("nope")
