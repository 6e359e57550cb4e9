import pandas as pd
import pytest

from gtebench.data.errors import DataError
from gtebench.data.sequences import last_prefixes, leave_one_out_rows, user_sequences


def interactions():
    # user u: a(1) b(2) c(2, later in the file) d(3) e(4); user v: x(5) y(1)
    return pd.DataFrame(
        {
            "user_id": ["u", "v", "u", "u", "v", "u", "u"],
            "item_id": ["b", "x", "a", "c", "y", "e", "d"],
            "timestamp": [2, 5, 1, 2, 1, 4, 3],
        }
    )


def test_user_sequences_sort_by_time_and_keep_file_order_on_ties():
    ordered = user_sequences(interactions())
    assert ordered[ordered.user_id == "u"].item_id.tolist() == ["a", "b", "c", "d", "e"]
    assert ordered[ordered.user_id == "v"].item_id.tolist() == ["y", "x"]


def test_leave_one_out_rows():
    rows = leave_one_out_rows(interactions(), max_history=2)
    u = rows[rows.user_id == "u"]
    assert u[["item_id", "split"]].values.tolist() == [["b", "train"], ["c", "train"], ["d", "valid"], ["e", "test"]]
    assert u.history.tolist() == [["a"], ["a", "b"], ["b", "c"], ["c", "d"]]  # the last 2 items only
    v = rows[rows.user_id == "v"]  # two interactions: only a test row, never an empty history
    assert v[["item_id", "split"]].values.tolist() == [["x", "test"]]
    assert all(len(h) > 0 for h in rows.history)


def test_last_prefixes_keeps_the_most_recent_training_rows_only():
    rows = leave_one_out_rows(interactions(), max_history=50)
    kept = last_prefixes(rows, 1)
    assert kept[kept.split == "train"].item_id.tolist() == ["c"]
    assert (kept.split != "train").sum() == (rows.split != "train").sum()
    assert last_prefixes(rows, None) is rows


def test_bad_parameters_are_refused():
    with pytest.raises(DataError, match="max_history"):
        leave_one_out_rows(interactions(), max_history=0)
    with pytest.raises(DataError, match="train_prefixes_per_user"):
        last_prefixes(leave_one_out_rows(interactions()), 0)
    with pytest.raises(DataError, match="timestamp"):
        user_sequences(interactions().drop(columns="timestamp"))
