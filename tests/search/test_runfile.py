"""TREC run files: round trip, and malformed files name the line."""

import numpy as np
import pytest

from gtebench.search.runfile import RunFileError, read_run, write_run


def test_round_trip(tmp_path):
    path = write_run(tmp_path / "r.trec", ["q1", "q2"], np.array(["a", "b", "c"], dtype=object),
                     np.array([[2, 0], [1, 2]]), np.array([[0.9, 0.5], [0.8, 0.1]], dtype=np.float32), "mpnet-full")
    assert path.read_text().splitlines()[0] == "q1 Q0 c 1 0.9 mpnet-full"
    assert read_run(path) == {"q1": {"c": pytest.approx(0.9), "a": 0.5},
                              "q2": {"b": pytest.approx(0.8), "c": pytest.approx(0.1)}}


@pytest.mark.parametrize("line,match", [
    ("q1 Q0 a 1 0.5", "expected 6 fields"),
    ("q1 Q0 a one 0.5 tag", "rank must be an integer"),
    ("q1 Q0 a 1 nan tag", "not finite"),
    ("q1 Q0 a 1 0.5 tag\nq1 Q0 a 2 0.4 tag", "appears twice"),
])
def test_malformed_lines_are_errors_with_their_line(tmp_path, line, match):
    path = tmp_path / "bad.trec"
    path.write_text("q0 Q0 z 1 1.0 tag\n" + line + "\n")
    with pytest.raises(RunFileError, match=match) as error:
        read_run(path)
    assert "line 2" in str(error.value) or "line 3" in str(error.value)


def test_missing_file_and_bad_tags(tmp_path):
    with pytest.raises(RunFileError, match="no run file"):
        read_run(tmp_path / "none.trec")
    with pytest.raises(RunFileError, match="one word"):
        write_run(tmp_path / "x", ["q"], ["a"], np.array([[0]]), np.array([[1.0]]), "two words")
