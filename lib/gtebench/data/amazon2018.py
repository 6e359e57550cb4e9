"""Amazon Reviews 2018 sets available as real files in the shared data.

- `amazon2018/Scientific`: Industrial_and_Scientific 5-core, complete chronological sequences
  (`Scientific.inter.json[.gz]`: {user: [item, ...]}, `Scientific.item.json[.gz]`: {item: {title, description,
  brand, categories}}). No timestamps are kept, only the order, so the loader stamps each interaction with its
  position; the split is leave-one-out.
- `amazon2018-samples/<Category>`: MiniOneRec next-item samples (history <= 10) of which only the source's
  valid and test splits exist. Split used here (documented, not the source's): the first 90% of the valid file
  (rows are in global target-time order) = train, its last 10% = valid, the test file = test.

An item id repeated in an item file keeps its last entry and is counted (report["duplicate_item_rows"]).

Folders: $GTEBENCH_AMAZON2018_SCIENTIFIC_DIR / $GTEBENCH_AMAZON2018_SAMPLES_DIR, else
`<shared data>/amazon2018_scientific_seq` / `<shared data>/amazon2018_industrial_office_seq`.
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pandas as pd

from .errors import DataError
from .files import check_columns, find_file, local_dir, open_text, read_json_file
from .sequences import split_known
from .types import DatasetSpec, Loaded

log = logging.getLogger(__name__)

SCIENTIFIC_ENV = "GTEBENCH_AMAZON2018_SCIENTIFIC_DIR"
SAMPLES_ENV = "GTEBENCH_AMAZON2018_SAMPLES_DIR"
SAMPLE_CATEGORIES = ("Industrial_and_Scientific", "Office_Products")
ITEM_FIELDS = ("title", "description", "brand", "categories")
HOW_TO_GET = (
    "These are the real files described in shared/data/README.md; set {env} (or GTEBENCH_SHARED_DATA) to the "
    "folder that holds them."
)


def scientific_files() -> list[Path]:
    """The Scientific interaction and item JSON files (plain or .gz)."""
    folder = local_dir(SCIENTIFIC_ENV, "amazon2018_scientific_seq")
    how = HOW_TO_GET.format(env=SCIENTIFIC_ENV)
    return [find_file(folder, "Scientific.inter", (".json",), how),
            find_file(folder, "Scientific.item", (".json",), how)]


def _items_from_json(path: Path) -> tuple[pd.DataFrame, int]:
    """The items of an {item id: {title, ...}} file and how many entries repeated an earlier item id.

    A repeated id keeps its last entry (what json.load does, so any code reading these files with it); it is
    counted (report["duplicate_item_rows"]) and logged instead of vanishing inside the parser.
    """
    raw = read_json_file(path, count_repeats=True)
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a JSON object {{item id: {{title, ...}}}}")
    records = []
    for item_id, meta in raw.items():
        if not isinstance(meta, dict) or "title" not in meta:
            raise DataError(f"{path}: item {item_id!r} has no 'title' field (required)")
        records.append({"item_id": str(item_id), **{f: meta.get(f, "") for f in ITEM_FIELDS}})
    if raw.repeated:
        log.warning("%s: %d entr(ies) repeat an earlier item id; the last entry of each id is kept", path, raw.repeated)
    return pd.DataFrame(records, columns=["item_id", *ITEM_FIELDS]), raw.repeated


def load_scientific(spec: DatasetSpec | None = None) -> Loaded:
    """Scientific sequences as interactions stamped with their position, dropping items without metadata."""
    inter_path, item_path = scientific_files()
    sequences = read_json_file(inter_path)
    if not isinstance(sequences, dict):
        raise DataError(f"{inter_path}: expected a JSON object {{user id: [item id, ...]}}")
    users, item_ids, stamps = [], [], []
    for user, seq in sequences.items():
        if not isinstance(seq, list):
            raise DataError(f"{inter_path}: user {user!r} maps to {type(seq).__name__}, expected a list of item ids")
        users += [str(user)] * len(seq)
        item_ids += [str(i) for i in seq]
        stamps += range(len(seq))  # order only: the source keeps no timestamps
    interactions = pd.DataFrame({"user_id": users, "item_id": item_ids, "timestamp": pd.array(stamps, dtype="int64")})
    items, repeated = _items_from_json(item_path)
    interactions, dropped = split_known(interactions, items)
    return Loaded(items=items, interactions=interactions, files=[inter_path, item_path],
                  report={"interactions_without_metadata": dropped, "duplicate_item_rows": repeated})


def _parse_list(text: str, path: Path, column: str) -> list:
    try:
        value = ast.literal_eval(text) if text else []
    except (ValueError, SyntaxError):
        raise DataError(f"{path}: column {column!r} holds {text[:60]!r}, not a Python list literal") from None
    return value if isinstance(value, list) else [value]


def _list_or_none(text: str) -> list | None:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, list) else [value]


def load_samples(spec: DatasetSpec) -> Loaded:
    """Rows of a sample category: its valid file split 90% train / 10% valid, its test file as test."""
    category = spec.options["category"]
    folder = local_dir(SAMPLES_ENV, "amazon2018_industrial_office_seq")
    how = HOW_TO_GET.format(env=SAMPLES_ENV)
    item_path = find_file(folder, f"{category}.item", (".json",), how)
    items, repeated = _items_from_json(item_path)
    # the source stores description as a stringified Python list; a few are not valid literals (cut or
    # unbalanced quotes): those stay the raw string, counted in the report
    descriptions, unparsed = [], 0
    for text in items["description"]:
        value = _list_or_none(text) if isinstance(text, str) and text.startswith("[") else text
        unparsed += value is None
        descriptions.append(text if value is None else value)
    items["description"] = descriptions
    parts, files = [], [item_path]
    for source_split in ("valid", "test"):
        path = find_file(folder, f"{category}.{source_split}", (".csv",), how)
        files.append(path)
        with open_text(path) as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
        check_columns(frame.columns, ("user_id", "history_item_id", "item_id"), path)
        history = [" ".join(map(str, _parse_list(h, path, "history_item_id"))) for h in frame["history_item_id"]]
        part = pd.DataFrame({"user_id": frame["user_id"], "item_id": frame["item_id"], "history": history})
        if source_split == "valid":
            cut = int(len(part) * 0.9)
            part["split"] = ["train"] * cut + ["valid"] * (len(part) - cut)
        else:
            part["split"] = "test"
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    empty = rows["history"].str.len() == 0
    rows = rows[~empty].reset_index(drop=True)
    rows["position"] = rows.groupby("user_id", sort=False).cumcount() + 1
    return Loaded(items=items, rows=rows, files=files,
                  report={"empty_history": int(empty.sum()), "descriptions_kept_as_text": int(unparsed),
                          "duplicate_item_rows": repeated})
