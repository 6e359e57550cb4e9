"""TREC run files: round trip, and malformed files name the line."""

import numpy as np
import pytest

from gtebench.search.runfile import RunFileError, read_run, strictly_decreasing, write_qrels, write_run


def test_round_trip(tmp_path):
    path = write_run(tmp_path / "r.trec", ["q1", "q2"], np.array(["a", "b", "c"], dtype=object),
                     np.array([[2, 0], [1, 2]]), np.array([[0.9, 0.5], [0.8, 0.1]], dtype=np.float32), "mpnet-full")
    assert path.read_text().splitlines()[0] == f"q1 Q0 c 1 {float(np.float32(0.9))!r} mpnet-full"  # every digit
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


def test_tied_scores_are_written_strictly_decreasing_in_the_ranked_order(tmp_path):
    """BM25 ties: a reader that breaks ties by document id (as trec_eval does) or by its own rule must still see
    the library's ranking, and the values move by no more than a few float64 steps."""
    scores = np.array([[3.0, 2.0, 2.0, 2.0, 1.0, 1.0]], dtype=np.float32)
    positions = np.array([[5, 0, 4, 1, 3, 2]])  # ranked order with ties, not sorted by id
    ids = np.array([f"d{i}" for i in range(6)], dtype=object)
    path = write_run(tmp_path / "ties.trec", ["q"], ids, positions, scores, "bm25-full")
    run = read_run(path)["q"]
    by_score = sorted(run, key=lambda item: (-run[item], item))  # ties (none left) broken by id
    assert by_score == [ids[p] for p in positions[0]]
    assert len(set(run.values())) == 6
    assert np.allclose(sorted(run.values(), reverse=True), scores[0], rtol=1e-14)
    assert strictly_decreasing(np.array([1.0, 2.0])) == [1.0, float(np.nextafter(1.0, 0.0))]  # an inversion too


def test_saved_runs_and_qrels_rescored_with_ranx_from_disk_give_the_same_values(tmp_path):
    import pandas as pd
    from ranx import Qrels, Run, evaluate

    from gtebench.search.metrics import per_query_metrics, scaled_gains

    qrels = pd.DataFrame({"qid": ["q", "q", "q"], "item_id": ["d2", "d4", "d0"], "relevance": [1.0, 0.1, 0.0]})
    scores = np.array([[2.0, 2.0, 2.0, 2.0, 1.0]], dtype=np.float32)  # every judged item tied with an unjudged one
    ids = np.array([f"d{i}" for i in range(5)], dtype=object)
    run_path = write_run(tmp_path / "r.trec", ["q"], ids, np.array([[1, 4, 3, 2, 0]]), scores, "bm25-full")
    qrels_path = write_qrels(tmp_path / "qrels.txt", scaled_gains(qrels))
    assert qrels_path.read_text() == "q 0 d2 100\nq 0 d4 10\n"
    reported = per_query_metrics(qrels, read_run(run_path))["ndcg@100"].iloc[0]
    from_disk = evaluate(Qrels.from_file(str(qrels_path)), Run.from_file(str(run_path)), "ndcg@100")
    assert from_disk == pytest.approx(reported)
    ideal = 100 + 10 / np.log2(3)
    assert reported == pytest.approx((10 / np.log2(3) + 100 / np.log2(5)) / ideal)  # d4 at rank 2, d2 at rank 4
