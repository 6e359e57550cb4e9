import pandas as pd
import pytest

from gtebench.data.errors import DataError
from gtebench.data.recbole_export import export_benchmark


def rows(history_of_test=("a", "b")):
    return pd.DataFrame(
        {
            "user_id": ["u", "u", "u"],
            "history": [["a"], ["a", "b"], list(history_of_test)],
            "item_id": ["b", "c", "d"],
            "split": ["train", "valid", "test"],
        }
    )


def test_export_writes_recbole_benchmark_files(tmp_path):
    counts = export_benchmark(rows(), tmp_path, "toy")
    assert counts == {"train": 1, "valid": 1, "test": 1}
    assert (tmp_path / "toy.test.inter").read_text().splitlines() == [
        "user_id:token\titem_id_list:token_seq\titem_id:token",
        "u\ta b\td",
    ]


def test_export_refuses_empty_histories_and_whitespace_ids(tmp_path):
    with pytest.raises(DataError, match="empty history"):
        export_benchmark(rows(history_of_test=()), tmp_path, "toy")
    bad = rows()
    bad.loc[0, "item_id"] = "has space"
    with pytest.raises(DataError, match="whitespace"):
        export_benchmark(bad, tmp_path / "b", "toy")
