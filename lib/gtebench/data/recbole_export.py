"""Export (history, target) rows as RecBole atomic benchmark files: {name}.{train,valid,test}.inter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..io import atomic_open
from .errors import DataError
from .sequences import SPLITS

HEADER = "user_id:token\titem_id_list:token_seq\titem_id:token\n"


def _check_token(value: str, where: str) -> str:
    if not value or any(c in value for c in "\t\n "):
        raise DataError(f"{where}: id {value!r} is empty or contains whitespace, which RecBole cannot read")
    return value


def export_benchmark(rows: pd.DataFrame, out_dir: Path, name: str) -> dict[str, int]:
    """Write the three benchmark files atomically; return the row count per split.

    Empty histories are refused: RecBole would read them as NaN (pandas 3 no longer fills them).
    A history is a list of ids or one space-joined string of ids (the compact form of large prepared sets).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in SPLITS:
        part = rows[rows["split"] == split]
        if part.empty:
            raise DataError(f"split {split!r} of dataset {name!r} has no rows; cannot train/evaluate without it")
        path = out_dir / f"{name}.{split}.inter"
        with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(HEADER)
            for user, history, target in zip(part["user_id"], part["history"], part["item_id"]):
                if isinstance(history, str):
                    history = history.split(" ") if history else []
                if len(history) == 0:
                    raise DataError(f"{path}: user {user!r} has an empty history for target {target!r}")
                handle.write(
                    f"{_check_token(str(user), str(path))}\t"
                    f"{' '.join(_check_token(str(i), str(path)) for i in history)}\t"
                    f"{_check_token(str(target), str(path))}\n"
                )
        counts[split] = int(len(part))
    return counts
