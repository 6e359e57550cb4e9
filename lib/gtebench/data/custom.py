"""Your own data, as a folder, through the same interfaces: `prepare("custom:/path/to/folder")` for sequential
recommendation, `prepare_search("custom:/path/to/folder")` for product search.

Folder format (every file may also be gzipped, `.csv.gz` / `.jsonl.gz`):

    my_data/
      items.jsonl | items.csv        required: item_id + any metadata fields (title, description, brand, ...)
                                     (JSON lines keep lists, e.g. "features": ["a", "b"])
      interactions.csv | .jsonl      for recommendation: user_id, item_id, timestamp (any sortable number)
      queries.csv | .jsonl           for search: qid, query
      qrels.csv | .jsonl             for search: qid, item_id, relevance (> 0 is relevant; grades allowed)
      dataset.json                   optional: {"text_recipe": "amazon-sr"} (a name in gtebench.text.RECIPES)
                                     or {"text_template": "{title}. Brand: {brand}."}; default "{title}"

Recommendation uses leave-one-out by timestamp (ties keep file order). Interactions whose item has no metadata
row are removed and counted (PreparedDataset.report["interactions_without_metadata"]); a user whose
timestamps are not in file order is counted (report["users_with_unsorted_timestamps"]) and sorted. Duplicate
item ids, missing columns, malformed JSON lines and a missing file are errors naming the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .cache import checksums
from .errors import DataError
from .files import check_columns, check_unique, find_file, iter_jsonl, open_text, read_json_file
from .sequences import split_known
from .types import DatasetSpec, Loaded, SearchDataset, SearchSpec

FORMAT_HINT = "see the folder format in gtebench/data/custom.py (items, interactions, queries, qrels)"


def _table_path(folder: Path, stem: str) -> Path:
    return find_file(folder, stem, (".jsonl", ".csv"), f"A custom dataset folder needs it: {FORMAT_HINT}")


def read_table(folder: Path, stem: str, required: tuple[str, ...]) -> tuple[pd.DataFrame, Path]:
    """`stem`.jsonl or `stem`.csv (gzipped or not) with the required columns; ids are read as strings."""
    path = _table_path(folder, stem)
    if ".jsonl" in path.name:
        frame = pd.DataFrame(list(iter_jsonl(path, required=required)))
    else:
        with open_text(path) as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    check_columns(frame.columns, required, path)
    for column in ("item_id", "user_id", "qid"):
        if column in frame.columns:
            frame[column] = frame[column].astype(str)
    return frame, path


def read_options(folder: Path) -> dict:
    """The folder's dataset.json options, or {} if there is none."""
    path = folder / "dataset.json"
    options = read_json_file(path) if path.is_file() else {}
    if not isinstance(options, dict):
        raise DataError(f"{path}: expected a JSON object like {{\"text_template\": \"{{title}}\"}}")
    return options


def text_recipe_name(folder: Path) -> str:
    """The folder's text recipe name (checked to exist), else `template:` and its text template."""
    options = read_options(folder)
    if "text_recipe" in options:
        from ..text import get_recipe

        get_recipe(options["text_recipe"])  # unknown names fail here, listing the known ones
        return options["text_recipe"]
    return "template:" + options.get("text_template", "{title}")


def custom_spec(key: str) -> DatasetSpec:
    """A leave-one-out sequential dataset spec for a `custom:<folder>` key."""
    folder = Path(key[len("custom:"):]).expanduser()
    if not folder.is_dir():
        raise DataError(f"custom dataset folder {folder} does not exist; {FORMAT_HINT}")
    return DatasetSpec(key=f"custom/{folder.name}", description=f"custom dataset in {folder}", loader="custom",
                       split="leave_one_out", text_recipe=text_recipe_name(folder), options={"folder": str(folder)})


def read_items(folder: Path) -> tuple[pd.DataFrame, Path]:
    """The folder's items table, with unique item ids, and its path."""
    items, path = read_table(folder, "items", ("item_id",))
    check_unique(items["item_id"], "item_id", path)
    return items, path


def count_unsorted_users(interactions: pd.DataFrame) -> int:
    """Users whose timestamps go backwards somewhere in file order."""
    backwards = interactions.groupby("user_id", sort=False)["timestamp"].diff() < 0
    return int(interactions.loc[backwards, "user_id"].nunique())


def load_custom(folder: Path) -> Loaded:
    """A custom folder's items and interactions, timestamps checked numeric and unknown items dropped."""
    items, items_path = read_items(folder)
    interactions, inter_path = read_table(folder, "interactions", ("user_id", "item_id", "timestamp"))
    stamps = pd.to_numeric(interactions["timestamp"], errors="coerce")
    if stamps.isna().any():
        bad = interactions.loc[stamps.isna(), "timestamp"].iloc[0]
        raise DataError(f"{inter_path}: timestamp {bad!r} is not a number (use Unix seconds or any sortable number)")
    interactions = interactions.assign(timestamp=stamps)[["user_id", "item_id", "timestamp"]]
    report = {"users_with_unsorted_timestamps": count_unsorted_users(interactions)}
    interactions, report["interactions_without_metadata"] = split_known(interactions, items)
    return Loaded(items=items, interactions=interactions, files=[items_path, inter_path], report=report)


def custom_search_spec(key: str) -> SearchSpec:
    """A search dataset spec for a `custom:<folder>` key."""
    folder = Path(key[len("custom:"):]).expanduser()
    if not folder.is_dir():
        raise DataError(f"custom dataset folder {folder} does not exist; {FORMAT_HINT}")
    return SearchSpec(key=f"custom/{folder.name}", description=f"custom search dataset in {folder}", loader="custom",
                      text_recipe=text_recipe_name(folder), options={"folder": str(folder)})


def load_custom_search(spec: SearchSpec) -> SearchDataset:
    """queries + qrels + items of a custom folder; judgments of items without metadata are dropped and counted."""
    folder = Path(spec.options["folder"])
    items, items_path = read_items(folder)
    queries, queries_path = read_table(folder, "queries", ("qid", "query"))
    check_unique(queries["qid"], "qid", queries_path)
    qrels, qrels_path = read_table(folder, "qrels", ("qid", "item_id", "relevance"))
    relevance = pd.to_numeric(qrels["relevance"], errors="coerce")
    if relevance.isna().any():
        bad = qrels.loc[relevance.isna(), "relevance"].iloc[0]
        raise DataError(f"{qrels_path}: relevance {bad!r} is not a number (use 1/0 or grades like 1, 0.1)")
    qrels = qrels.assign(relevance=relevance.astype(float))[["qid", "item_id", "relevance"]]
    unknown = sorted(set(qrels["qid"]) - set(queries["qid"]))
    if unknown:
        raise DataError(f"{qrels_path}: {len(unknown)} qid(s) not in {queries_path.name}, e.g. {unknown[:5]}")
    known = qrels["item_id"].isin(set(items["item_id"]))
    report = {"judgments_without_item_metadata": int((~known).sum())}
    qrels = qrels[known].reset_index(drop=True)
    relevant = set(qrels.loc[qrels["relevance"] > 0, "qid"])
    report["queries_without_relevant_item"] = int((~queries["qid"].isin(relevant)).sum())
    queries = queries[queries["qid"].isin(relevant)]
    series = pd.Series(queries["query"].to_numpy(), index=queries["qid"].to_numpy())
    category = dict(zip(items["item_id"], items["category"])) if "category" in items.columns else {}
    best = qrels[qrels["relevance"] > 0].sort_values("relevance", ascending=False).drop_duplicates("qid")
    target = dict(zip(best["qid"], best["item_id"]))
    domain = pd.Series([str(category.get(target[q], "") or "") for q in series.index], index=series.index, dtype=str)
    return SearchDataset(spec, series, qrels, items, domain, report,
                         checksums([items_path, queries_path, qrels_path]))
