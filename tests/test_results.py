import json

import pandas as pd
import pytest

from gtebench.results import COLUMNS, ResultsError, git_commit, package_versions, read_results, write_results


def rows(n_seeds=1):
    base = {c: "x" for c in COLUMNS}
    out = []
    for seed in range(n_seeds):
        for metric, value in (("ndcg@10", 0.05), ("recall@10", 0.1)):
            out.append({**base, "task": "sr", "metric": metric, "split": "test", "value": value, "seed": seed,
                        "best_epoch": 3, "epochs": 9, "train_seconds": 1.5, "config": "{}",
                        "versions": json.dumps(package_versions())})
    return pd.DataFrame(out)


def test_round_trip(tmp_path):
    path = write_results(rows(2), tmp_path / "r.csv")
    frame = read_results(path)
    assert list(frame.columns) == COLUMNS and len(frame) == 4
    assert frame["value"].dtype.kind == "f" and frame["seed"].dtype.kind == "i"


def test_schema_violations_are_errors(tmp_path):
    with pytest.raises(ResultsError, match="missing columns"):
        write_results(rows().drop(columns=["seed"]), tmp_path / "r.csv")
    doubled = pd.concat([rows(), rows()])
    with pytest.raises(ResultsError, match="duplicate rows"):
        write_results(doubled, tmp_path / "r.csv")
    with pytest.raises(ResultsError, match="make reproduce"):
        read_results(tmp_path / "absent.csv")
    assert not (tmp_path / "r.csv").exists()


def test_provenance_fields():
    versions = package_versions()
    assert {"python", "torch", "recbole", "gtebench"} <= set(versions)
    commit = git_commit()
    assert commit == "unknown" or len(commit.split("+")[0]) == 40
