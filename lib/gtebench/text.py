"""Item-text recipes: pure functions from one item's metadata record to the text an encoder sees.

A recipe is named, versioned and hashed; the hash goes into every embedding cache key, so changing a recipe
can never reuse vectors computed from the old text.
"""

from __future__ import annotations

import html
import inspect
import logging
import re
import string
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from .data.errors import DataError
from .io import sha256_bytes

log = logging.getLogger(__name__)


def _movielens(record: Mapping) -> str:
    """'<title> (<year>). Genres: <g1>, <g2>.' (year and genres left out where missing)."""
    title = str(record["title"]).strip()
    year = str(record.get("year") or "").strip()
    genres = [g for g in (record.get("genres") or []) if g]
    text = f"{title} ({year})." if year else f"{title}."
    if genres:
        text += " Genres: " + ", ".join(genres) + "."
    return text


def _clean_sr(text: str) -> str:
    """The SR cleaning of the authors' process_amazon_2023.py, step for step and in its order.

    html-unescape, strip, drop HTML tags, newlines/tabs to a space, collapse runs of spaces, then replace each
    non-ASCII character by a space. The last step comes after the collapse, so it can leave double spaces:
    kept, because the embeddings of the paper were computed from exactly these strings.
    """
    text = html.unescape(text).strip()
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[\n\t]", " ", text)
    text = re.sub(r" +", " ", text)
    return re.sub(r"[^\x00-\x7F]", " ", text)


def _sr_piece(value) -> str:
    """One field: a non-empty list -> cleaned elements joined by ', ' and closed with '.'; a string -> cleaned.

    Every piece ends with one space (so the text ends with a space, as the authors'). A missing value (None, or
    NaN from a table) renders as '' where the authors' code would crash or write 'nan.'.
    """
    if isinstance(value, np.ndarray):  # list fields read back from parquet
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        values = list(value)
        return (", ".join(_clean_sr(str(v)) for v in values) + "." if values else "") + " "
    if value is None or (isinstance(value, float) and value != value):
        return " "
    return _clean_sr(str(value)) + " "


def _amazon_sr(record: Mapping) -> str:
    """The paper's SR item text: title, features, categories, description (Amazon Reviews 2023 metadata)."""
    return "".join(_sr_piece(record.get(f)) for f in ("title", "features", "categories", "description"))


def _amazon2018(record: Mapping) -> str:
    """The SR recipe over the fields Amazon 2018 sets carry: title, brand, categories, description."""
    return "".join(_sr_piece(record.get(f)) for f in ("title", "brand", "categories", "description"))


def _clean_ps(value) -> str:
    """The PS cleaning of the BLaIR/GTE process_esci.py: lists joined by ' ', dicts as str(), html-unescaped,
    double quotes and newlines removed, trailing dots replaced by exactly one '.'.

    Reproduced quirk: the trailing-dot count stops before the first character, so '.' becomes '..'.
    """
    if isinstance(value, (list, tuple)):
        text = " ".join(map(str, value))
    elif isinstance(value, dict):
        text = str(value)
    else:
        text = str(value)
    text = re.sub(r'["\n\r]*', "", html.unescape(text))
    dots = len(text) - len(text.rstrip("."))
    dots = min(dots, max(len(text) - 1, 0))
    return text[: len(text) - dots] + "."


def _amazon_ps(record: Mapping) -> str:
    """The paper's PS item text (ESCI pool): title and description, each cleaned and followed by a space."""
    text = ""
    for field in ("title", "description"):
        value = record.get(field)
        if value is not None and not (isinstance(value, float) and value != value):
            text += _clean_ps(value.tolist() if isinstance(value, np.ndarray) else value) + " "
    return text.replace("\t", " ")


def _title(record: Mapping) -> str:
    """The title alone, as given (whitespace-trimmed): Home Depot's pool has nothing else."""
    return str(record.get("title") or "").strip()


def _c4_metadata(record: Mapping) -> str:
    """Amazon-C4's pool file already holds the item text (its `metadata` field): used as provided."""
    return str(record.get("metadata") or "")


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


def _steam(record: Mapping) -> str:
    """'<title>. Genres: g1, g2. Tags: t1, t2. Developer: d.' (parts left out where missing)."""
    parts = [str(record.get("title") or "").strip()]
    for label, field in (("Genres", "genres"), ("Tags", "tags")):
        values = record.get(field)
        values = values.tolist() if isinstance(values, np.ndarray) else values
        if values is not None and len(values):
            parts.append(f"{label}: " + ", ".join(str(v) for v in values))
    if str(record.get("developer") or "").strip():
        parts.append(f"Developer: {str(record['developer']).strip()}")
    return ". ".join(p.rstrip(".") for p in parts if p.rstrip(".")) + "."


RECIPES: dict[str, Recipe] = {
    "movielens": Recipe("movielens", 1, _movielens, "title (year). Genres: g1, g2."),
    "amazon-sr": Recipe("amazon-sr", 1, _amazon_sr, "paper SR: title, features, categories, description (cleaned)"),
    "amazon-ps": Recipe("amazon-ps", 1, _amazon_ps, "paper PS (ESCI pool): title, description (BLaIR cleaning)"),
    "title": Recipe("title", 1, _title, "the title alone, whitespace-trimmed"),
    "c4-metadata": Recipe("c4-metadata", 1, _c4_metadata, "Amazon-C4 pool: the metadata field as provided"),
    "amazon2018": Recipe("amazon2018", 1, _amazon2018, "SR cleaning over title, brand, categories, description"),
    "steam": Recipe("steam", 1, _steam, "title. Genres: g1, g2. Tags: t1, t2. Developer: d."),
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
            if isinstance(value, np.ndarray):
                value = value.tolist()
            if isinstance(value, float) and value != value:  # NaN: a field missing from some JSON lines
                value = None
            values[field] = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else (value or "")
        return " ".join(template.format(**values).split())

    return Recipe(name, 1, render, f"template: {template}")  # the description carries the template into the hash


def get_recipe(name: str) -> Recipe:
    """A named recipe, or 'template:<str.format template>' (how a custom dataset names its own recipe)."""
    if name.startswith("template:"):
        return template_recipe(name, name[len("template:"):])
    if name not in RECIPES:
        raise DataError(f"unknown text recipe {name!r}; known recipes: {sorted(RECIPES)}")
    return RECIPES[name]


def empty_texts(texts: pd.Series) -> pd.Series:
    """The texts that are empty or whitespace-only (str.strip() leaves nothing), as a boolean mask."""
    return texts.str.strip() == ""


def item_texts(items: pd.DataFrame, recipe: Recipe) -> pd.Series:
    """Render every item's text, indexed by item_id.

    An empty or whitespace-only text is kept and logged, not dropped: the authors keep such items (an Amazon
    2023 item with no title, features, categories or description is still an item with an embedding), and
    whether it is encoded is the encoder's decision. Dataset reports count them (`items_with_empty_text`).
    """
    records = items.to_dict("records")
    texts = pd.Series([recipe.render(r) for r in records], index=items["item_id"].astype(str).to_numpy(),
                      name=f"text:{recipe.name}", dtype=object)
    empty = empty_texts(texts)
    if empty.any():
        log.warning("recipe %r gives an empty or whitespace-only text for %d of %d item(s), e.g. %s; kept",
                    recipe.name, int(empty.sum()), len(texts), texts.index[empty][:5].tolist())
    return texts
