"""Amazon Reviews 2023 for sequential recommendation, prepared as the paper prepares it.

Sources: a local folder or the Hugging Face dataset `McAuley-Lab/Amazon-Reviews-2023` (data/amazon2023_sources.py
says where each file is looked for).

Preparation (as the authors' preprocessing script): history items without metadata are dropped, rows whose
target has no metadata or whose history becomes empty are removed, the last `max_history` (50) history items
are kept. Rows keep their benchmark split: the absolute-timestamp split (train < T1 <= valid < T2 <= test) or
leave-last-out. Ids stay the original parent_asin / user_id tokens in the exported files (RecBole renumbers);
`data_maps.json` records the authors' 1-based ids ([PAD] = 0), assigned over train, valid, test in file order,
per row the target before its history items. Every removal is counted in the manifest, never silent. A
parent_asin repeated in the metadata keeps its last record, as the authors' dict keyed by parent_asin does
(counted: report["duplicate_item_rows"]; prepare_amazon2023(duplicates="error") refuses them instead).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ..io import write_json
from .amazon2023_sources import BENCHMARKS, source_files
from .cache import cached, checksums, save_frame
from .errors import DataError
from .files import check_columns, iter_jsonl, open_text
from .sequences import SPLITS
from .types import Loaded

log = logging.getLogger(__name__)

T1, T2 = 1628643414042, 1658002729837  # ms; the benchmark's absolute-timestamp split, shared by all categories
META_FIELDS = ("title", "features", "categories", "description", "main_category")
ROW_COLUMNS = ("user_id", "parent_asin", "timestamp", "history")
PREP_VERSION = 2  # bump when filtering, truncation or id mapping changes (2: duplicate ids, last record wins)
DUPLICATE_POLICIES = ("last", "error")
CHUNK_ROWS = 200_000


# ---------------------------------------------------------------- reading


def metadata_ids(path: Path, duplicates: str = "last") -> tuple[set[str], int]:
    """First pass over the metadata: the ids only (bounded memory for categories with millions of items).

    Returns the ids and the number of records whose parent_asin appeared earlier. duplicates="last" (default)
    accepts them, as the authors' dict keyed by parent_asin does (read_metadata keeps the last record);
    "error" refuses them. A malformed line or a record without parent_asin is an error naming file and line.
    """
    if duplicates not in DUPLICATE_POLICIES:
        raise DataError(f"unknown duplicates policy {duplicates!r}; valid: {DUPLICATE_POLICIES}")
    ids: set[str] = set()
    repeated = 0
    for number, record in enumerate(iter_jsonl(path, required=("parent_asin",)), start=1):
        item = str(record["parent_asin"])
        if item in ids:
            if duplicates == "error":
                raise DataError(f"{path}, record {number}: duplicate parent_asin(s) {[item]}; each item must appear "
                                "once (or use duplicates='last', the authors' behaviour)")
            repeated += 1
        ids.add(item)
    return ids, repeated


def read_metadata(path: Path, keep: set[str] | None = None) -> pd.DataFrame:
    """Second pass: the text fields of the items in `keep` (all when None), keyed by parent_asin as item_id.

    A repeated parent_asin keeps its last record at the place of its first, as the authors' dict does.
    """
    records: dict[str, dict] = {}
    for r in iter_jsonl(path, required=("parent_asin",)):
        item = str(r["parent_asin"])
        if keep is None or item in keep:
            records[item] = {"item_id": item, **{f: r.get(f) for f in META_FIELDS}}
    return pd.DataFrame(list(records.values()), columns=["item_id", *META_FIELDS])


def iter_split_chunks(path: Path) -> Iterator[pd.DataFrame]:
    """Chunks of (user_id, parent_asin, timestamp, history, line) from a CSV or JSON-lines split file."""
    if ".jsonl" in path.name:
        buffer: list[dict] = []
        for number, record in enumerate(iter_jsonl(path, required=ROW_COLUMNS[:3]), start=1):
            buffer.append({c: record.get(c) or "" for c in ROW_COLUMNS} | {"line": number})
            if len(buffer) >= CHUNK_ROWS:
                yield _typed(pd.DataFrame(buffer), path)
                buffer = []
        if buffer:
            yield _typed(pd.DataFrame(buffer), path)
        return
    with open_text(path) as handle:
        reader = pd.read_csv(handle, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS)
        offset = 2  # line 1 is the header
        for chunk in reader:
            check_columns(chunk.columns, ROW_COLUMNS[:3], path)
            if "history" not in chunk.columns:
                example = BENCHMARKS["0core_timestamp_w_his"]
                raise DataError(f"{path}: no 'history' column; use the *_w_his benchmark files (e.g. {example})")
            chunk = chunk[list(ROW_COLUMNS)].assign(line=np.arange(offset, offset + len(chunk)))
            offset += len(chunk)
            yield _typed(chunk, path)


def _typed(chunk: pd.DataFrame, path: Path) -> pd.DataFrame:
    stamps = pd.to_numeric(chunk["timestamp"], errors="coerce")
    if stamps.isna().any():
        bad = chunk.loc[stamps.isna()].iloc[0]
        raise DataError(f"{path}, line {bad['line']}: timestamp {bad['timestamp']!r} is not a number")
    return chunk.assign(timestamp=stamps.astype("int64"), history=chunk["history"].astype(str))


# ---------------------------------------------------------------- preparation (pure functions)


def check_timestamp_window(chunk: pd.DataFrame, split: str, path: Path) -> None:
    """A timestamp-split file must respect train < T1 <= valid < T2 <= test; a row that does not is an error."""
    ts = chunk["timestamp"]
    outside = {"train": ts >= T1, "valid": (ts < T1) | (ts >= T2), "test": ts < T2}[split]
    if outside.any():
        row = chunk.loc[outside].iloc[0]
        raise DataError(
            f"{path}, line {row['line']}: timestamp {row['timestamp']} lies outside the {split} window "
            f"(T1={T1}, T2={T2}); is this file from a timestamp-split benchmark and the right split?"
        )


def filter_rows(chunk: pd.DataFrame, with_meta: set[str], max_history: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """The authors' filtering on one chunk: returns (user_id, item_id, history (space-joined), timestamp) rows."""
    kept_users, kept_items, kept_histories, kept_stamps = [], [], [], []
    counts = {"rows_read": len(chunk), "target_without_metadata": 0, "history_items_without_metadata": 0,
              "empty_history": 0}
    columns = (chunk["user_id"], chunk["parent_asin"], chunk["history"], chunk["timestamp"])
    for user, target, history, stamp in zip(*columns):
        if target not in with_meta:
            counts["target_without_metadata"] += 1
            continue
        tokens = history.split()
        known = [t for t in tokens if t in with_meta]
        counts["history_items_without_metadata"] += len(tokens) - len(known)
        if not known:
            counts["empty_history"] += 1
            continue
        kept_users.append(user)
        kept_items.append(target)
        kept_histories.append(" ".join(known[-max_history:]))
        kept_stamps.append(stamp)
    frame = pd.DataFrame({"user_id": kept_users, "item_id": kept_items, "history": kept_histories,
                          "timestamp": np.asarray(kept_stamps, dtype="int64")})
    return frame, counts


class IdMap:
    """The authors' remap_id: 1-based ids in order of first appearance, [PAD] = 0; fed split by split."""

    def __init__(self) -> None:
        self.user2id: dict[str, int] = {"[PAD]": 0}
        self.item2id: dict[str, int] = {"[PAD]": 0}

    def add(self, rows: pd.DataFrame) -> None:
        for user in pd.unique(rows["user_id"].to_numpy()):
            self.user2id.setdefault(user, len(self.user2id))
        # per row: target first, then its history items (the authors' order); pd.unique keeps first appearance
        tokens = (rows["item_id"] + " " + rows["history"]).str.cat(sep=" ").split(" ") if len(rows) else []
        for item in pd.unique(np.asarray(tokens, dtype=object)):
            self.item2id.setdefault(item, len(self.item2id))

    def as_json(self) -> dict:
        return {"user2id": self.user2id, "id2user": list(self.user2id), "item2id": self.item2id,
                "id2item": list(self.item2id)}


def with_positions(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Order each user's rows by time (stable, so file order breaks ties) and number them; count disorder.

    Returns the rows and how many rows came earlier in the files than a row of the same user with a larger
    timestamp (0 in the official files); they are re-ordered, and the count goes into the manifest.
    """
    split_rank = rows["split"].map({s: i for i, s in enumerate(SPLITS)}).to_numpy()
    file_order = np.arange(len(rows))
    previous_max = rows.groupby("user_id", sort=False)["timestamp"].cummax().shift(1)
    same_user = rows["user_id"].eq(rows["user_id"].shift(1))
    unsorted = int((same_user & (rows["timestamp"] < previous_max)).sum())
    order = np.lexsort((file_order, rows["timestamp"].to_numpy(), split_rank, rows["user_id"].to_numpy()))
    ordered = rows.iloc[order].reset_index(drop=True)
    ordered["position"] = ordered.groupby("user_id", sort=False).cumcount() + 1
    return ordered, unsorted


# ---------------------------------------------------------------- loader


def prepare_amazon2023(domain: str, benchmark: str = "0core_timestamp_w_his", max_history: int = 50,
                       duplicates: str = "last") -> Loaded:
    """Prepared (items, rows, report) for one category; cached under GTEBENCH_HOME/prepared with a manifest.

    Args:
        domain: the category, e.g. "All_Beauty"; benchmark: a key of BENCHMARKS (the paper's by default).
        max_history: history items kept per row (the last ones; the authors' 50).
        duplicates: what a parent_asin repeated in the metadata does: "last" (the authors': the last record
            wins, counted in report["duplicate_item_rows"]) or "error".
    """
    if benchmark not in BENCHMARKS:
        raise DataError(f"unknown Amazon Reviews 2023 benchmark {benchmark!r}; valid: {sorted(BENCHMARKS)}")
    split_files, meta_file = source_files(domain, benchmark)
    files = [*split_files.values(), meta_file]
    params = {"domain": domain, "benchmark": benchmark, "max_history": max_history, "prep_version": PREP_VERSION,
              "duplicates": duplicates, "sources": checksums(files)}

    def build(folder: Path) -> dict:
        with_meta, repeated = metadata_ids(meta_file, duplicates)
        parts, counts, ids = [], {}, IdMap()
        for split, path in split_files.items():
            for chunk in iter_split_chunks(path):
                if "timestamp" in benchmark:
                    check_timestamp_window(chunk, split, path)
                kept, chunk_counts = filter_rows(chunk, with_meta, max_history)
                ids.add(kept)
                parts.append(kept.assign(split=split))
                for name, value in chunk_counts.items():
                    counts[f"{split}.{name}"] = counts.get(f"{split}.{name}", 0) + value
        rows, unsorted = with_positions(pd.concat(parts, ignore_index=True))
        counts["unsorted_rows_reordered"] = unsorted
        counts["items_with_metadata"] = len(with_meta)
        counts["duplicate_item_rows"] = repeated  # over the whole metadata file, kept items or not
        items = read_metadata(meta_file, keep=set(ids.item2id))
        counts.update({"users": len(ids.user2id) - 1, "items": len(ids.item2id) - 1,
                       **{f"{s}.rows": int((rows["split"] == s).sum()) for s in SPLITS}})
        save_frame(items, folder / "items.parquet")
        save_frame(rows, folder / "rows.parquet")
        write_json(folder / "data_maps.json", ids.as_json())
        return counts

    folder, manifest = cached(f"amazon2023/{domain}/{benchmark}", params, build)
    report = manifest["counts"]
    dropped = {k: v for k, v in report.items() if "without_metadata" in k or "empty_history" in k}
    if any(dropped.values()):
        log.info("amazon2023/%s: removed %s (see %s)", domain, dropped, folder / "manifest.json")
    if report["duplicate_item_rows"]:
        log.warning("amazon2023/%s: %d metadata record(s) repeat an earlier parent_asin in %s; the last record of "
                    "each id is kept, as the authors' code does", domain, report["duplicate_item_rows"], meta_file)
    return Loaded(items=pd.read_parquet(folder / "items.parquet"), rows=pd.read_parquet(folder / "rows.parquet"),
                  report=report, files=files, folder=folder, sources=params["sources"])
