"""Shared fixtures: an isolated GTEBENCH_HOME per test session, and the real data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GTEBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    """Every cache, export and run record of the tests goes to a fresh folder, never the user's .gtebench."""
    home = tmp_path_factory.mktemp("gtebench-home")
    previous = os.environ.get("GTEBENCH_HOME")
    os.environ["GTEBENCH_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("GTEBENCH_HOME", None)
    else:
        os.environ["GTEBENCH_HOME"] = previous


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (set GTEBENCH_SHARED_DATA); CI has it")
    return SHARED_DATA


@pytest.fixture
def search_folder(tmp_path):
    """Write a custom search folder (items.csv, queries.csv, qrels.csv) from CSV bodies; return its path."""

    def write(items: str, queries: str, qrels: str, name: str = "search") -> Path:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        (folder / "items.csv").write_text(items)
        (folder / "queries.csv").write_text("qid,query\n" + queries)
        (folder / "qrels.csv").write_text("qid,item_id,relevance\n" + qrels)
        return folder

    return write
