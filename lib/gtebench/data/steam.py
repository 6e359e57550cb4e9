"""Steam (the UCSD "australian" crawl, Kang & McAuley 2018): games as items, each user's reviews as a sequence.

Files (`<shared data>/steam_au/`, or $GTEBENCH_STEAM_DIR; its SOURCE.md says where they come from):
- steam_games.json.gz: one game per line (id, title, app_name, genres, tags, developer, ...). The copy pads the
  file with all-NaN rows; a row without a string `id` is one of them and is skipped (counted).
- user_reviews_interactions.csv.gz: User_Id, Item_Id, Date (YYYY-MM-DD), ... one row per review.

A review is an interaction stamped with its date (days; reviews of one day keep file order); reviews of games
without metadata are removed, then users with fewer than MIN_USER_EVENTS reviews (the usual 5-core floor on the
user side: sequences here are short), each counted in the report; a repeated (user, game) review keeps the first.
Item text (recipe "steam"): title, genres, tags, developer. Split: leave-one-out by date.
"""

from __future__ import annotations

import gzip
import json
import math

import pandas as pd

from .errors import DataError
from .files import check_columns, find_file, local_dir
from .sequences import split_known
from .types import DatasetSpec, Loaded

STEAM_ENV, STEAM_NAME = "GTEBENCH_STEAM_DIR", "steam_au"
MIN_USER_EVENTS = 5
ITEM_FIELDS = ("title", "genres", "tags", "developer")
HOW_TO_GET = f"the Steam files of shared/data/steam_au (SOURCE.md); set {STEAM_ENV} or GTEBENCH_SHARED_DATA"


def steam_files() -> list:
    """The reviews file and the games file, found in the Steam folder (a DataError says how to get them)."""
    folder = local_dir(STEAM_ENV, STEAM_NAME)
    return [find_file(folder, "user_reviews_interactions", (".csv",), HOW_TO_GET),
            find_file(folder, "steam_games", (".json",), HOW_TO_GET)]


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _games(path) -> tuple[pd.DataFrame, int]:
    records, padding = {}, 0
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                game = json.loads(line)  # the file writes missing values as NaN, which json accepts
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not a JSON object ({exc.msg})") from exc
            if not isinstance(game.get("id"), str):
                padding += 1
                continue
            title = game.get("title") if _present(game.get("title")) else game.get("app_name")
            records.setdefault(game["id"], {
                "item_id": game["id"], "title": str(title) if _present(title) else "",
                **{f: [str(v) for v in game[f]] if isinstance(game.get(f), list) else [] for f in ("genres", "tags")},
                "developer": str(game["developer"]) if _present(game.get("developer")) else ""})
    return pd.DataFrame(list(records.values()), columns=["item_id", *ITEM_FIELDS]), padding


def load_steam(spec: DatasetSpec | None = None) -> Loaded:
    """Games and the users' review sequences (MIN_USER_EVENTS or more reviews of games with metadata)."""
    reviews_path, games_path = steam_files()
    items, padding = _games(games_path)
    raw = pd.read_csv(reviews_path, dtype=str, keep_default_na=False)
    check_columns(raw.columns, ("User_Id", "Item_Id", "Date"), reviews_path)
    dates = pd.to_datetime(raw["Date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        raise DataError(f"{reviews_path}: data row {row + 1} has Date {raw['Date'].iloc[row]!r}, expected YYYY-MM-DD")
    interactions = pd.DataFrame({"user_id": raw["User_Id"], "item_id": raw["Item_Id"],
                                 "timestamp": (dates - pd.Timestamp("1970-01-01")).dt.days.astype("int64")})
    repeated = interactions.duplicated(["user_id", "item_id"])
    interactions = interactions[~repeated]
    interactions, without_metadata = split_known(interactions, items)
    counts = interactions["user_id"].map(interactions["user_id"].value_counts())
    short = counts < MIN_USER_EVENTS
    report = {"padding_rows": padding, "repeated_user_item_reviews": int(repeated.sum()),
              "interactions_without_metadata": without_metadata,
              f"users_under_{MIN_USER_EVENTS}_reviews": int(interactions.loc[short, "user_id"].nunique()),
              f"interactions_of_users_under_{MIN_USER_EVENTS}_reviews": int(short.sum())}
    interactions = interactions[~short].reset_index(drop=True)
    used = set(interactions["item_id"])
    report["games_without_reviews"] = int((~items["item_id"].isin(used)).sum())
    items = items[items["item_id"].isin(used)].reset_index(drop=True)  # the catalogue the users reviewed
    return Loaded(items=items, interactions=interactions, files=[reviews_path, games_path], report=report)
