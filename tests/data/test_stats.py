"""Dataset statistics on small hand-checkable datasets."""

import json

import pytest

from gtebench.data import prepare
from gtebench.data.search import prepare_search
from gtebench.data.stats import dataset_statistics, search_statistics, sr_statistics, wide, write_statistics

from .amazon2023_files import write_official


def test_sr_statistics_of_a_leave_one_out_folder(tmp_path):
    folder = tmp_path / "toy"
    folder.mkdir()
    (folder / "items.jsonl").write_text("".join(json.dumps({"item_id": i, "title": t}) + "\n"
                                                for i, t in [("a", "red lamp"), ("b", "mug"), ("c", "big blue desk")]))
    (folder / "interactions.csv").write_text("user_id,item_id,timestamp\nu,a,1\nu,b,2\nu,c,3\nu,a,4\nv,b,1\nv,c,2\n")
    stats = sr_statistics(prepare(f"custom:{folder}"))
    assert (stats["users"], stats["items"], stats["interactions"]) == (2, 3, 6)
    assert stats["density"] == pytest.approx(6 / 6)
    assert (stats["sequence_length_mean"], stats["sequence_length_median"]) == (3.0, 3.0)
    assert stats["item_text_tokens_mean"] == pytest.approx(2.0)  # 2, 1, 3 whitespace tokens
    # v has two items: a test row only
    assert (stats["train_rows"], stats["valid_rows"], stats["test_rows"]) == (1, 1, 2)


def test_sr_statistics_of_a_given_split_follow_the_authors_interaction_count(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_AMAZON2023_DIR", str(tmp_path))
    write_official(tmp_path)
    stats = sr_statistics(prepare("amazon2023/All_Beauty"))
    # rows: u1 (a)->b, (a b)->c, (a b c)->d, u2 (b)->d; two rows have a 1-item history
    assert (stats["users"], stats["items"], stats["interactions"]) == (2, 4, 6)
    assert stats["sequence_length_mean"] == pytest.approx((4 + 2) / 2)


def test_search_statistics_and_the_tidy_file(tmp_path, search_folder):
    folder = search_folder("item_id,title\na,Lamp\nb,Mug cup\n", "q1,a light\nq2,cup\n", "q1,a,1\nq1,b,1\nq2,b,1\n",
                           name="s")
    stats = search_statistics(prepare_search(f"custom:{folder}"))
    assert (stats["queries"], stats["pool_items"], stats["relevant_per_query_mean"]) == (2, 2, 1.5)
    assert stats["query_tokens_mean"] == 1.5
    frame, skipped = dataset_statistics([], [f"custom:{folder}", f"custom:{tmp_path / 'absent'}"])
    assert set(frame.columns) == {"dataset", "task", "statistic", "value"}
    assert list(skipped) == [f"custom:{tmp_path / 'absent'}"]
    write_statistics(frame, tmp_path / "stats.csv")
    assert (tmp_path / "stats.csv").read_text().startswith("dataset,task,statistic,value\ncustom/s,ps,queries,2.0")
    assert wide(frame).loc[("ps", "custom/s"), "pool_items"] == 2
