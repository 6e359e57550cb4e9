"""Dataset statistics as tidy rows (dataset, task, statistic, value), for the statistics notebook and README.

Text lengths are counted in whitespace-separated tokens of the dataset's item-text recipe (not model tokens).
For datasets that come split with histories (Amazon 2023), `interactions` follows the authors' statistic:
one per (history, target) row plus one for each row whose history has a single item (the user's first
interaction, which appears only as history); sequence length = the longest history + 1 per user (after the
50-item truncation).

This module sits above both registries (it prepares datasets by key); no registry or loader imports it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..io import atomic_open
from .errors import DataError
from .registry import prepare
from .search import prepare_search

COLUMNS = ["dataset", "task", "statistic", "value"]


def _lengths(texts: pd.Series) -> pd.Series:
    return texts.str.split().str.len()


def sr_statistics(prepared) -> dict[str, float]:
    """Size, density, sequence-length, item-text-length and split-row statistics of a prepared dataset."""
    if prepared.spec.split == "leave_one_out":
        inter = prepared.interactions
        per_user = inter.groupby("user_id").size()
        users, items, interactions = len(per_user), inter["item_id"].nunique(), len(inter)
    else:
        rows = prepared.rows
        history_len = rows["history"].str.count(" ") + 1
        per_user = (history_len + 1).groupby(rows["user_id"]).max()
        used = set(rows["item_id"])
        for history in rows["history"]:
            used.update(history.split(" "))
        users, items = len(per_user), len(used)
        interactions = int(len(rows) + (history_len == 1).sum())
    texts = _lengths(prepared.item_texts())
    stats = {
        "users": users, "items": items, "interactions": interactions,
        "density": interactions / (users * items) if users and items else float("nan"),
        "sequence_length_mean": float(per_user.mean()), "sequence_length_median": float(per_user.median()),
        "item_text_tokens_mean": float(texts.mean()), "item_text_tokens_median": float(texts.median()),
    }
    if prepared.rows is not None or prepared.spec.split == "leave_one_out":
        split = prepared.split_rows(max_history=50)["split"].value_counts()
        stats.update({f"{s}_rows": int(split.get(s, 0)) for s in ("train", "valid", "test")})
    return stats


def search_statistics(ds) -> dict[str, float]:
    """Query, pool, judgment, text-length and domain counts of a search dataset."""
    relevant = ds.qrels[ds.qrels["relevance"] > 0].groupby("qid").size()
    texts = _lengths(ds.item_texts())
    return {
        "queries": len(ds.queries), "pool_items": len(ds.items), "judgments": len(ds.qrels),
        "relevant_per_query_mean": float(relevant.mean()), "relevant_per_query_max": float(relevant.max()),
        "query_tokens_mean": float(_lengths(ds.queries).mean()),
        "item_text_tokens_mean": float(texts.mean()), "item_text_tokens_median": float(texts.median()),
        "domains": len(ds.domains()),
    }


def tidy(dataset: str, task: str, stats: dict) -> pd.DataFrame:
    """The statistics as tidy rows (dataset, task, statistic, value)."""
    return pd.DataFrame([(dataset, task, k, float(v)) for k, v in stats.items()], columns=COLUMNS)


def dataset_statistics(sr: list[str], search: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Statistics of every dataset that can be prepared; the others are returned with the reason."""
    frames, skipped = [], {}
    jobs = [(key, "sr", prepare, sr_statistics) for key in sr]
    jobs += [(key, "ps", prepare_search, search_statistics) for key in search]
    for key, task, load, statistics in jobs:
        try:
            dataset = load(key)
            frames.append(tidy(dataset.key, task, statistics(dataset)))
        except DataError as exc:
            skipped[key] = str(exc)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return frame, skipped


def write_statistics(frame: pd.DataFrame, path: Path) -> None:
    """Write the statistics frame to CSV atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False)


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset, one column per statistic (for display)."""
    table = frame.pivot_table(index=["task", "dataset"], columns="statistic", values="value", aggfunc="first")
    return table.replace({np.nan: None})
