"""The failures file beside a results file: written, read back, removed when a rerun succeeds, raised at the end."""

import pytest

from gtebench.failures import (
    CellFailure,
    CellsFailed,
    failures_file,
    raise_if_failed,
    raise_recorded_failures,
    read_failures,
    write_failures,
)


def test_failures_round_trip_and_are_raised_with_each_error(tmp_path):
    results = tmp_path / "sr_x.csv"
    failures = [CellFailure.from_exception("ml-100k", "encode", "nv-embed-v2", ImportError("needs einops")),
                CellFailure.from_exception("esci", "prepare", "bm25", FileNotFoundError())]
    write_failures(failures, results)
    assert failures_file(results) == tmp_path / "sr_x_failures.csv"
    back = read_failures(results)
    assert back == [failures[0], CellFailure("esci", "prepare", "bm25", "FileNotFoundError", "FileNotFoundError()")]
    with pytest.raises(CellsFailed) as error:
        raise_recorded_failures(results)
    message = str(error.value)
    assert "2 cell(s) failed" in message and "ml-100k / nv-embed-v2 (encode): ImportError: needs einops" in message
    assert str(results) in message and str(failures_file(results)) in message


def test_a_clean_rerun_removes_the_failures_file(tmp_path):
    results = tmp_path / "ps.csv"
    write_failures([CellFailure("d", "search", "m", "E", "boom")], results)
    write_failures([], results)
    assert not failures_file(results).exists() and read_failures(results) == []
    raise_recorded_failures(results)  # nothing recorded: no error
    raise_if_failed([], results)


def test_a_foreign_failures_file_is_refused_with_the_fix(tmp_path):
    results = tmp_path / "ps.csv"
    failures_file(results).write_text("dataset,why\nesci,?\n")
    with pytest.raises(ValueError, match=r"lacks the columns \['cell', 'error', 'error_type', 'model'\].*delete it"):
        read_failures(results)
