"""Paths recorded in results: relative inside the checkout, absolute outside it."""

from pathlib import Path

from gtebench import paths


def test_paths_in_the_checkout_are_recorded_relative_and_others_absolute(tmp_path):
    root = paths.repo_root()
    assert root is not None  # the tests run from an editable install
    assert paths.for_record(root / "results" / "runs" / "x.trec") == str(Path("results") / "runs" / "x.trec")
    assert paths.for_record(tmp_path / "x.trec") == str((tmp_path / "x.trec").resolve())
