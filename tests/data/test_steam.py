"""Steam: games as items (title, genres, tags, developer), users' review sequences by date, every drop counted."""

import gzip
import json

import pytest

from gtebench.data import DataError, prepare
from gtebench.data.steam import STEAM_ENV


def _write(folder, games, reviews):
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "steam_games.json.gz", "wt") as handle:
        handle.writelines(line + "\n" for line in games)
    with gzip.open(folder / "user_reviews_interactions.csv.gz", "wt") as handle:
        handle.write("User_Id,Item_Id,Recommend,Date\n" + "".join(f"{u},{i},True,{d}\n" for u, i, d in reviews))


def test_sequences_by_date_with_every_drop_counted(tmp_path, monkeypatch):
    games = [json.dumps({"id": str(i), "title": f"Game {i}", "genres": ["Action"], "tags": ["FPS", "Indie"],
                         "developer": "Valve."}) for i in range(1, 7)]
    games += ['{"id": NaN, "title": NaN}', json.dumps({"id": "7", "app_name": "Seven", "developer": None})]
    days = ["2014-01-0" + str(d) for d in range(1, 10)]
    a = [("a", "1", days[4]), ("a", "2", days[0]), ("a", "3", days[1]), ("a", "4", days[1]), ("a", "7", days[2])]
    reviews = a + [("a", "2", days[5]),  # a repeated review of game 2: the first is kept
                   ("a", "99", days[6]),  # a game without metadata
                   ("b", "1", days[0]), ("b", "2", days[1]), ("b", "3", days[2]), ("b", "4", days[3]),  # 4 < 5
                   ("c", "5", days[0]), ("c", "6", days[1]), ("c", "1", days[2]), ("c", "2", days[3]),
                   ("c", "3", days[4])]
    _write(tmp_path / "steam", games, reviews)
    monkeypatch.setenv(STEAM_ENV, str(tmp_path / "steam"))
    prepared = prepare("steam-au")
    assert prepared.report == {"padding_rows": 1, "repeated_user_item_reviews": 1, "interactions_without_metadata": 1,
                               "users_under_5_reviews": 1, "interactions_of_users_under_5_reviews": 4,
                               "games_without_reviews": 0, "items_with_empty_text": 0}
    rows = prepared.split_rows(50)
    a_rows = rows[rows.user_id == "a"].set_index("split")
    # by date: 2 (day 1), then 3 and 4 on day 2 in file order, 7 (day 3), 1 (day 5)
    assert a_rows.loc["test", "item_id"] == "1" and a_rows.loc["test", "history"] == ["2", "3", "4", "7"]
    assert a_rows.loc["valid", "item_id"] == "7"
    texts = prepared.item_texts()
    assert texts["1"] == "Game 1. Genres: Action. Tags: FPS, Indie. Developer: Valve."
    assert texts["7"] == "Seven."  # app_name stands in for a missing title; missing lists and developer left out


def test_a_malformed_date_and_a_missing_folder_are_errors_naming_the_file(tmp_path, monkeypatch):
    _write(tmp_path / "steam", [json.dumps({"id": "1", "title": "G"})], [("a", "1", "Posted May 3")])
    monkeypatch.setenv(STEAM_ENV, str(tmp_path / "steam"))
    with pytest.raises(DataError, match=r"user_reviews_interactions.csv.gz: data row 1 has Date 'Posted May 3'"):
        prepare("steam-au")
    monkeypatch.setenv(STEAM_ENV, str(tmp_path / "absent"))
    with pytest.raises(DataError, match="steam_au"):
        prepare("steam-au")


def test_the_real_crawl(shared_data):
    prepared = prepare("steam-au")
    report = prepared.report
    assert report["padding_rows"] == 88_312 and report["interactions_without_metadata"] > 0
    users = prepared.interactions["user_id"].nunique()
    assert 2_700 < users < 2_900 and prepared.interactions.groupby("user_id").size().min() >= 5
    assert len(prepared.items) == prepared.interactions["item_id"].nunique()
