"""Amazon Reviews 2023 preparation on hand-made files in the official formats (benchmark CSV/JSONL + meta JSONL)."""

import gzip
import json
import logging

import pytest

from gtebench.data import DataError, get_dataset, prepare
from gtebench.data.amazon2023 import prepare_amazon2023
from gtebench.io import read_json

from .amazon2023_files import META, SPLITS, TR, VA, write_official


@pytest.fixture
def local(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_AMAZON2023_DIR", str(tmp_path))
    return tmp_path


def test_preparation_follows_the_authors_filtering_and_counts_every_removal(local):
    write_official(local)
    prepared = prepare("amazon2023/All_Beauty")
    rows = prepared.split_rows(max_history=50)
    # x has no metadata: dropped from histories; u1's x-target row and u2's empty-history row are removed;
    # u3's history becomes empty once x is dropped
    assert rows[["user_id", "item_id", "split"]].values.tolist() == [
        ["u1", "b", "train"], ["u1", "c", "valid"], ["u1", "d", "test"], ["u2", "d", "test"]]
    assert rows.history.tolist() == [["a"], ["a", "b"], ["a", "b", "c"], ["b"]]
    assert prepared.report["train.target_without_metadata"] == 1
    assert prepared.report["train.empty_history"] == 2
    assert prepared.report["valid.history_items_without_metadata"] == 1
    assert prepared.report["test.history_items_without_metadata"] == 1
    assert set(prepared.items.item_id) == {"a", "b", "c", "d"}
    assert prepared.item_texts()["a"] == "Alpha f1.  Soft & light. "


def test_ids_are_1_based_in_train_valid_test_order_target_first(local):
    write_official(local)
    prepared = prepare("amazon2023/All_Beauty")
    maps = read_json(prepared.folder / "data_maps.json")
    assert maps["id2item"] == ["[PAD]", "b", "a", "c", "d"]  # train row (target b, history a), then c, then d
    assert maps["id2user"] == ["[PAD]", "u1", "u2"]


def test_history_is_truncated_to_the_last_items_and_benchmark_rows_are_exported(local):
    write_official(local)
    short = prepare_amazon2023("All_Beauty", max_history=2)
    assert short.rows.set_index(["user_id", "split"]).loc[("u1", "test"), "history"] == "b c"
    prepared = prepare("amazon2023/All_Beauty")
    data_path, name = prepared.recbole_benchmark(max_history=50, train_prefixes_per_user=None)
    assert name == "amazon2023_All_Beauty_seq"
    lines = (data_path / name / f"{name}.test.inter").read_text().splitlines()
    assert lines == ["user_id:token\titem_id_list:token_seq\titem_id:token", "u1\ta b c\td", "u2\tb\td"]
    assert (data_path / name / f"{name}.data_maps").is_file()


def test_preparation_is_cached_and_rebuilt_when_a_source_changes(local):
    write_official(local)
    first = prepare("amazon2023/All_Beauty").folder
    stamp = (first / "rows.parquet").stat().st_mtime_ns
    assert prepare("amazon2023/All_Beauty").folder == first
    assert (first / "rows.parquet").stat().st_mtime_ns == stamp
    with gzip.open(local / "raw" / "meta_categories" / "meta_All_Beauty.jsonl.gz", "at") as handle:
        handle.write(json.dumps({"parent_asin": "x", "title": "Xi"}) + "\n")
    second = prepare("amazon2023/All_Beauty")
    assert second.folder != first and "x" in set(second.items.item_id)


def test_plain_jsonl_split_files_are_read_too(local):
    write_official(local, fmt="jsonl", gz=False)
    rows = prepare("amazon2023/All_Beauty").split_rows(50)
    assert rows.item_id.tolist() == ["b", "c", "d", "d"]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (META[:3] + ['{"parent_asin": "d", "title": \n'], r"meta_All_Beauty.jsonl.gz, line 4: malformed JSON"),
        (META + [{"title": "no id"}], r"line 5: missing required field\(s\) \['parent_asin'\]"),
    ],
)
def test_bad_metadata_names_file_and_line(local, meta, message):
    write_official(local, meta=meta)
    with pytest.raises(DataError, match=message):
        prepare("amazon2023/All_Beauty")


def test_a_timestamp_outside_its_split_window_is_an_error(local):
    splits = dict(SPLITS, valid=[("u1", "c", TR, "a b x")])
    write_official(local, splits=splits)
    with pytest.raises(DataError, match=r"All_Beauty.valid.csv.gz, line 2: timestamp .* outside the valid window"):
        prepare("amazon2023/All_Beauty")


def test_missing_files_and_unknown_categories_are_explained(local):
    with pytest.raises(DataError, match=r"train file for All_Beauty not found in .*amazon-reviews-2023.github.io"):
        prepare("amazon2023/All_Beauty")
    with pytest.raises(DataError, match=r"valid names after 'amazon2023/' are .*'All_Beauty'.*'Video_Games'"):
        get_dataset("amazon2023/Beauty")


def test_rows_out_of_time_order_are_counted_and_reordered(local):
    # u1's two valid rows are written newest first: positions follow time, and the disorder is counted
    write_official(local, splits=dict(SPLITS, valid=[("u1", "c", VA + 5, "a b x"), ("u1", "d", VA, "a b x")]))
    prepared = prepare("amazon2023/All_Beauty")
    assert prepared.report["unsorted_rows_reordered"] == 1
    valid = prepared.split_rows(50).query("split == 'valid'")
    assert valid.item_id.tolist() == ["d", "c"] and valid.position.tolist() == [2, 3]


def test_leave_last_out_and_5core_benchmarks_read_their_own_folders(local):
    # last-out files carry no timestamp windows: the same rows with every timestamp in the train window are fine
    same_time = {s: [(u, i, TR, h) for u, i, _, h in rows] for s, rows in SPLITS.items()}
    write_official(local, splits=same_time, benchmark=("5core", "last_out_w_his"))
    rows = prepare("amazon2023-5core-lastout/All_Beauty").split_rows(50)
    assert rows.groupby("split").size().to_dict() == {"test": 2, "train": 1, "valid": 1}
    with pytest.raises(DataError, match=r"0core_timestamp_w_his train file for All_Beauty not found"):
        prepare("amazon2023/All_Beauty")


def test_a_repeated_parent_asin_keeps_its_last_record_as_the_authors_dict_and_is_counted(local, caplog):
    # 'a' appears again with a new title (the authors' item2meta[parent_asin] = ... keeps the last); 'z' is
    # repeated but never interacted with: counted all the same (the count is over the metadata file)
    again = {"parent_asin": "a", "title": "Alpha v2", "features": [], "categories": [], "description": []}
    z = {"parent_asin": "z", "title": "Zeta"}
    write_official(local, meta=[META[0], z, *META[1:], again, z])
    with caplog.at_level(logging.WARNING, logger="gtebench.data.amazon2023"):
        prepared = prepare("amazon2023/All_Beauty")
    assert prepared.report["duplicate_item_rows"] == 2
    assert "2 metadata record(s) repeat an earlier parent_asin" in caplog.text
    assert prepared.items.item_id.tolist() == ["a", "b", "c", "d"]  # one row each, at its first place
    assert prepared.item_texts()["a"] == "Alpha v2    "  # the second record's, not 'Alpha f1.  Soft & light. '
    with pytest.raises(DataError, match=r"record 6: duplicate parent_asin\(s\) \['a'\].*duplicates='last'"):
        prepare_amazon2023("All_Beauty", duplicates="error")
    with pytest.raises(DataError, match=r"unknown duplicates policy 'first'"):
        prepare_amazon2023("All_Beauty", duplicates="first")


def test_items_whose_text_is_only_whitespace_are_kept_and_counted(local, caplog):
    # 'c' has no text at all (title of spaces and a tag, empty lists); 'd' only non-ASCII, which the SR
    # cleaning turns into spaces: both stay items (the authors encode them), the report counts them
    blank = {"parent_asin": "c", "title": "  <br> ", "features": [], "categories": [], "description": []}
    foreign = {"parent_asin": "d", "title": "\u4e2d\u6587", "features": [], "categories": [], "description": []}
    write_official(local, meta=[*META[:2], blank, foreign])
    with caplog.at_level(logging.WARNING, logger="gtebench.text"):
        prepared = prepare("amazon2023/All_Beauty")
    assert prepared.report["items_with_empty_text"] == 2
    texts = prepared.item_texts()
    assert set(texts.index) == {"a", "b", "c", "d"} and texts[["c", "d"]].str.strip().tolist() == ["", ""]
    assert "empty or whitespace-only text for 2 of 4 item(s), e.g. ['c', 'd']" in caplog.text
    assert prepared.split_rows(50).item_id.tolist() == ["b", "c", "d", "d"]  # their rows stay too
