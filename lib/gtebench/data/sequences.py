"""Chronological user sequences and the splits that turn them into (history, target) rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError

SPLITS = ("train", "valid", "test")


def user_sequences(interactions: pd.DataFrame) -> pd.DataFrame:
    """Sort interactions per user by time. Ties keep file order (a stable sort; RecBole's own sort is not)."""
    missing = {"user_id", "item_id", "timestamp"} - set(interactions.columns)
    if missing:
        raise DataError(f"interactions lack columns {sorted(missing)}; expected user_id, item_id, timestamp")
    order = np.lexsort((np.arange(len(interactions)), interactions["timestamp"].to_numpy()))
    ordered = interactions.iloc[order]
    return ordered.iloc[np.argsort(ordered["user_id"].to_numpy(), kind="stable")].reset_index(drop=True)


def leave_one_out_rows(interactions: pd.DataFrame, max_history: int = 50) -> pd.DataFrame:
    """Leave-one-out by time: per user the last item is test, the one before valid, every earlier prefix train.

    Returns one row per (user, target) with columns user_id, history (list of item ids, oldest first, at most
    `max_history`), item_id (the target), split, position (index of the target in the user's sequence).
    Users with fewer than 3 interactions contribute only what they can (no row ever has an empty history).
    """
    if max_history < 1:
        raise DataError(f"max_history must be >= 1, got {max_history}")
    ordered = user_sequences(interactions)
    rows: list[tuple] = []
    for user, group in ordered.groupby("user_id", sort=False):
        items = group["item_id"].tolist()
        n = len(items)
        for pos in range(1, n):
            split = "test" if pos == n - 1 else "valid" if pos == n - 2 else "train"
            rows.append((user, items[max(0, pos - max_history) : pos], items[pos], split, pos))
    return pd.DataFrame(rows, columns=["user_id", "history", "item_id", "split", "position"])


def last_prefixes(rows: pd.DataFrame, per_user: int | None) -> pd.DataFrame:
    """Keep each user's `per_user` most recent training rows (by position); valid/test rows are untouched."""
    if per_user is None:
        return rows
    if per_user < 1:
        raise DataError(f"train_prefixes_per_user must be >= 1 or None (all), got {per_user}")
    train = rows[rows["split"] == "train"]
    rank = train.groupby("user_id", sort=False)["position"].rank(method="first", ascending=False)
    kept = train[rank <= per_user]
    return pd.concat([kept, rows[rows["split"] != "train"]]).sort_index()


def split_known(interactions: pd.DataFrame, items: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop interactions with items that have no metadata; return the kept rows and how many went."""
    known = interactions["item_id"].isin(set(items["item_id"]))
    return interactions[known].reset_index(drop=True), int((~known).sum())
