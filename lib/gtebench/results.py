"""The tidy results schema: one row per dataset x domain x backbone x variant x model x metric x split x seed.

Every row carries the run's config, the package versions and the git commit, so tables and figures are pure
functions of results files (see plots.py and the notebooks).
"""

from __future__ import annotations

import functools
import importlib.metadata as md
import json
import platform
import subprocess
from pathlib import Path

import pandas as pd

from .io import atomic_open

COLUMNS = [
    "task",  # "sr" (sequential recommendation), "ps" (product search) or "embedding" (gtebench.analysis)
    "dataset",
    "domain",  # "All", or the category of the queries' relevant items (product search per-domain rows)
    "backbone",  # sasrec, gru4rec, ... ("-" for search)
    "variant",  # id, text, ...
    "model",  # encoder key, or "id" for ID-based items
    "model_class",  # registry class, or "id"
    "metric",  # recall@10, ndcg@10, ...
    "split",  # valid or test
    "value",
    "seed",
    "profile",
    "best_epoch",
    "epochs",
    "train_seconds",
    "run_id",
    "config",  # JSON
    "versions",  # JSON
    "git_commit",
]
NUMERIC = ("value", "seed", "best_epoch", "epochs", "train_seconds")
TRACKED_PACKAGES = ("gtebench", "torch", "recbole", "numpy", "pandas", "sentence-transformers", "transformers",
                    "scikit-learn")


class ResultsError(ValueError):
    pass


@functools.lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Versions of Python and the tracked packages ('not installed' for absent ones)."""
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    """HEAD of the checkout this package runs from, '+dirty' when tracked files differ; 'unknown' outside git."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "lib", "pyproject.toml"],
            cwd=here, capture_output=True, text=True, timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def validate(frame: pd.DataFrame, source: str = "results") -> pd.DataFrame:
    """The frame with numeric columns parsed, checked for the schema, duplicate rows and valid JSON."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ResultsError(f"{source}: missing columns {missing}; expected the schema in gtebench.results.COLUMNS")
    for column in NUMERIC:
        frame[column] = pd.to_numeric(frame[column], errors="raise")
    keys = ["task", "dataset", "domain", "backbone", "variant", "model", "metric", "split", "seed"]
    duplicated = frame.duplicated(subset=keys)
    if duplicated.any():
        raise ResultsError(f"{source}: {int(duplicated.sum())} duplicate rows for the same {keys}")
    for column in ("config", "versions"):
        for value in frame[column]:
            json.loads(value)
    return frame


def write_results(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write validated results in schema column order, sorted, to CSV atomically; returns the path."""
    frame = validate(frame.copy(), str(path))[COLUMNS]
    frame = frame.sort_values(["task", "dataset", "domain", "backbone", "variant", "model", "split", "metric", "seed"])
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False)
    return Path(path)


def read_results(path: str | Path) -> pd.DataFrame:
    """Validated results from a CSV file."""
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"no results file at {path}; run the notebook that writes it (make reproduce)")
    return validate(pd.read_csv(path, keep_default_na=False, dtype={"seed": "int64"}), str(path))
