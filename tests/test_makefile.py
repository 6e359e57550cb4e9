"""The Makefile's clean targets: hours of embeddings and training are never removed without a yes."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("embeddings", "runs", "prepared", "recbole", "models")


def _home(tmp_path) -> Path:
    home = tmp_path / "home"
    for name in FOLDERS:
        (home / name).mkdir(parents=True)
    return home


def _make(target: str, home: Path, answer: str | None = None, *extra: str) -> int:
    return subprocess.run(["make", "-s", "-C", str(ROOT), target, f"GTEBENCH_HOME={home}", *extra],
                          input=answer, text=True, capture_output=True).returncode


pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def test_clean_keeps_every_cache_and_run(tmp_path):
    home = _home(tmp_path)
    assert _make("clean", home) == 0
    assert sorted(p.name for p in home.iterdir()) == sorted(FOLDERS)


def test_clean_caches_removes_only_what_rebuilds_in_minutes(tmp_path):
    home = _home(tmp_path)
    assert _make("clean-caches", home) == 0
    assert sorted(p.name for p in home.iterdir()) == ["embeddings", "runs"]


def test_clean_runs_asks_and_keeps_them_without_a_yes(tmp_path):
    home = _home(tmp_path)
    assert _make("clean-runs", home, "") != 0  # no answer (as in CI): kept, and make says so by failing
    assert _make("clean-runs", home, "n\n") != 0
    assert (home / "runs").is_dir() and (home / "embeddings").is_dir()
    assert _make("clean-runs", home, "y\n") == 0
    assert not (home / "runs").exists() and not (home / "embeddings").exists() and (home / "prepared").is_dir()
    home = _home(tmp_path / "again")
    assert _make("clean-runs", home, None, "CONFIRM=yes") == 0 and not (home / "runs").exists()
