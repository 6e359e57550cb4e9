"""Item-text recipes: pure functions from one item's metadata record to the text an encoder sees.

A recipe is named, versioned and hashed; the hash goes into every embedding cache key, so changing a recipe
can never reuse vectors computed from the old text.
"""

from __future__ import annotations

import inspect
import string
from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd

from .data.errors import DataError
from .io import sha256_bytes


def _movielens(record: Mapping) -> str:
    """'<title> (<year>). Genres: <g1>, <g2>.' (year and genres left out where missing)."""
    title = str(record["title"]).strip()
    year = str(record.get("year") or "").strip()
    genres = [g for g in (record.get("genres") or []) if g]
    text = f"{title} ({year})." if year else f"{title}."
    if genres:
        text += " Genres: " + ", ".join(genres) + "."
    return text


@dataclass(frozen=True)
class Recipe:
    name: str
    version: int
    render: Callable[[Mapping], str]
    description: str

    @property
    def hash(self) -> str:
        """Changes whenever the name, version, description (a template's text) or the rendering code changes."""
        try:
            source = inspect.getsource(self.render)
        except (OSError, TypeError):
            source = repr(self.render)
        return sha256_bytes(f"{self.name}|{self.version}|{self.description}|{source}".encode())[:12]


RECIPES: dict[str, Recipe] = {
    "movielens": Recipe("movielens", 1, _movielens, "title (year). Genres: g1, g2."),
}


def template_recipe(name: str, template: str) -> Recipe:
    """A user recipe from a str.format template over metadata fields, e.g. '{title}. Brand: {brand}.'.

    List values are joined with ', '; a missing field renders as ''.
    """
    fields = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    if not fields:
        raise DataError(f"template {template!r} names no metadata field; write fields as {{title}}")

    def render(record: Mapping) -> str:
        values = {}
        for field in fields:
            value = record.get(field)
            values[field] = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else (value or "")
        return " ".join(template.format(**values).split())

    return Recipe(name, 1, render, f"template: {template}")  # the description carries the template into the hash


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise DataError(f"unknown text recipe {name!r}; known recipes: {sorted(RECIPES)}")
    return RECIPES[name]


def item_texts(items: pd.DataFrame, recipe: Recipe) -> pd.Series:
    """Render every item's text, indexed by item_id. An empty text is an error naming the item."""
    records = items.to_dict("records")
    texts = [recipe.render(r) for r in records]
    empty = [r["item_id"] for r, t in zip(records, texts) if not t.strip()]
    if empty:
        raise DataError(
            f"recipe {recipe.name!r} gives an empty text for {len(empty)} item(s), e.g. {empty[:5]}; "
            "fill their metadata or choose a recipe with other fields"
        )
    return pd.Series(texts, index=items["item_id"].astype(str).to_numpy(), name=f"text:{recipe.name}")
