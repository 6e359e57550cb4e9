import logging

import pandas as pd
import pytest

from gtebench.data.errors import DataError
from gtebench.text import empty_texts, get_recipe, item_texts, template_recipe


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


def test_empty_and_whitespace_texts_are_kept_and_logged_naming_the_items(caplog):
    # the authors keep (and encode) such items; the data layer keeps them and the encoder decides
    items = pd.DataFrame({"item_id": ["7", "8", "9"], "title": ["", "Lamp", " \t\n"]})
    with caplog.at_level(logging.WARNING, logger="gtebench.text"):
        texts = item_texts(items, get_recipe("template:{title}!"))
    assert texts.to_dict() == {"7": "!", "8": "Lamp!", "9": "!"}  # a template keeps its own characters
    with caplog.at_level(logging.WARNING, logger="gtebench.text"):
        texts = item_texts(items, template_recipe("t", "{title}"))
    assert texts.to_dict() == {"7": "", "8": "Lamp", "9": ""}
    assert empty_texts(texts).tolist() == [True, False, True]
    assert "empty or whitespace-only text for 2 of 3 item(s), e.g. ['7', '9']; kept" in caplog.text
    sr = item_texts(pd.DataFrame({"item_id": ["a"], "title": [""], "features": [[]]}), get_recipe("amazon-sr"))
    assert sr["a"] == "    " and empty_texts(sr).all()  # the SR recipe gives four spaces for an item without text


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(DataError, match="movielens"):
        get_recipe("nope")


def test_amazon_sr_recipe_matches_the_authors_cleaning_by_hand():
    record = {
        "item_id": "B01",
        "title": "  Rose &amp; Oud <b>Eau</b>\tde\nParfum  ",
        "features": ["Long lasting", "50 ml"],
        "categories": [],
        "description": ["Caf\u00e9 notes", "Second   line"],
    }
    # title: unescaped, stripped, tag removed, tab/newline -> space; empty categories -> ''; the non-ASCII e
    # becomes a space; every piece ends with a space, so the text does too.
    assert get_recipe("amazon-sr").render(record) == (
        "Rose & Oud Eau de Parfum Long lasting, 50 ml.  Caf  notes, Second line. "
    )


def test_amazon_sr_non_ascii_is_replaced_after_the_space_collapse():
    # the authors collapse spaces before replacing non-ASCII, so 'a \u00e9 b' keeps three spaces
    record = {"title": "a \u00e9 b", "features": [], "categories": ["Beauty"], "description": []}
    assert get_recipe("amazon-sr").render(record) == "a   b  Beauty.  "


def test_amazon_ps_recipe_title_and_description_with_one_final_dot():
    record = {"title": 'The "Best" Mug...', "description": ["Holds 12 oz", "dishwasher\nsafe"], "features": ["x"]}
    assert get_recipe("amazon-ps").render(record) == "The Best Mug. Holds 12 oz dishwashersafe. "
    assert get_recipe("amazon-ps").render({"title": ".", "description": None}) == ".. "  # the authors' quirk
    assert get_recipe("amazon-ps").render({"title": "Lamp", "description": []}) == "Lamp. . "


def test_c4_and_amazon2018_recipes():
    assert get_recipe("c4-metadata").render({"metadata": "As provided."}) == "As provided."
    record = {"title": "Gloves", "brand": "Acme", "categories": "Lab, Safety", "description": "Nitrile <i>gloves</i>"}
    assert get_recipe("amazon2018").render(record) == "Gloves Acme Lab, Safety Nitrile gloves "
