"""The real Amazon 2018 files in ../shared/data (skipped with the reason when the folder is absent)."""

import logging

import pytest

from gtebench.data import DataError, prepare


def test_scientific_full_sequences_leave_one_out(shared_data):
    prepared = prepare("amazon2018/Scientific")
    assert prepared.interactions.shape[0] == 58_492 and prepared.interactions.user_id.nunique() == 8_317
    assert len(prepared.items) == 4_344
    assert prepared.report == {"interactions_without_metadata": 0, "duplicate_item_rows": 0, "items_with_empty_text": 0}
    rows = prepared.split_rows(max_history=50)
    assert (rows.split == "test").sum() == (rows.split == "valid").sum() == 8_317  # every user has >= 5 items
    texts = prepared.item_texts()
    assert len(texts) == 4_344 and texts.str.len().min() > 0
    assert all(ord(c) < 128 for c in texts.iloc[0])  # the SR cleaning replaces non-ASCII


def test_samples_keep_the_source_rows_and_split(shared_data):
    prepared = prepare("amazon2018-samples/Office_Products")
    rows = prepared.split_rows(max_history=50)
    assert (rows.split == "test").sum() == 4_866  # the whole source test file
    assert (rows.split != "test").sum() == 4_866  # the source valid file: 90% train, 10% valid
    assert rows.history.map(len).max() <= 10
    assert prepared.report["descriptions_kept_as_text"] > 0  # counted, not hidden
    assert prepared.report["duplicate_item_rows"] == 0


def test_missing_folder_says_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_AMAZON2018_SCIENTIFIC_DIR", str(tmp_path))
    with pytest.raises(DataError, match=rf"no Scientific.inter.*in {tmp_path}.*GTEBENCH_AMAZON2018_SCIENTIFIC_DIR"):
        prepare("amazon2018/Scientific")


# item "1" appears twice (json.load would keep the second entry without a word); item "2" has no text at all
ITEM_JSON = ('{"0": {"title": "Gloves", "description": "Nitrile"}, "1": {"title": "Old tape"}, '
             '"2": {"title": "  ", "description": ""}, "1": {"title": "Tape", "brand": "Acme"}}')


def test_scientific_repeated_item_ids_keep_the_last_entry_and_are_counted(tmp_path, monkeypatch, caplog):
    (tmp_path / "Scientific.item.json").write_text(ITEM_JSON)
    (tmp_path / "Scientific.inter.json").write_text('{"u1": ["0", "1", "2"], "u2": ["1", "0", "2"]}')
    monkeypatch.setenv("GTEBENCH_AMAZON2018_SCIENTIFIC_DIR", str(tmp_path))
    with caplog.at_level(logging.WARNING):
        prepared = prepare("amazon2018/Scientific")
    assert prepared.items.item_id.tolist() == ["0", "1", "2"]
    assert prepared.report == {"interactions_without_metadata": 0, "duplicate_item_rows": 1, "items_with_empty_text": 1}
    texts = prepared.item_texts()
    assert texts["1"] == "Tape Acme   " and texts["2"].strip() == ""  # the last entry; the empty item is kept
    assert "1 entr(ies) repeat an earlier item id" in caplog.text


def test_samples_repeated_item_ids_keep_the_last_entry_and_are_counted(tmp_path, monkeypatch):
    (tmp_path / "Office_Products.item.json").write_text(ITEM_JSON)
    for split in ("valid", "test"):
        (tmp_path / f"Office_Products.{split}.csv").write_text(
            'user_id,history_item_id,item_id\nA1,"[0, 2]",1\nA2,[1],0\n')
    monkeypatch.setenv("GTEBENCH_AMAZON2018_SAMPLES_DIR", str(tmp_path))
    prepared = prepare("amazon2018-samples/Office_Products")
    assert prepared.report["duplicate_item_rows"] == 1 and prepared.report["items_with_empty_text"] == 1
    assert prepared.item_texts()["1"] == "Tape Acme   "
