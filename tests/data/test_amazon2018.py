"""The real Amazon 2018 files in ../shared/data (skipped with the reason when the folder is absent)."""

import pytest

from gtebench.data import DataError, prepare


def test_scientific_full_sequences_leave_one_out(shared_data):
    prepared = prepare("amazon2018/Scientific")
    assert prepared.interactions.shape[0] == 58_492 and prepared.interactions.user_id.nunique() == 8_317
    assert len(prepared.items) == 4_344 and prepared.report == {"interactions_without_metadata": 0}
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


def test_missing_folder_says_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_AMAZON2018_SCIENTIFIC_DIR", str(tmp_path))
    with pytest.raises(DataError, match=rf"no Scientific.inter.*in {tmp_path}.*GTEBENCH_AMAZON2018_SCIENTIFIC_DIR"):
        prepare("amazon2018/Scientific")
