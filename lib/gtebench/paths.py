"""Where generated and cached files live: one root, set by GTEBENCH_HOME, git-ignored."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "GTEBENCH_HOME"


def repo_root() -> Path | None:
    """The checkout this package was installed from in editable mode, or None for a regular install."""
    candidate = Path(__file__).resolve().parents[2]
    if (candidate / "pyproject.toml").is_file() and (candidate / "lib" / "gtebench").is_dir():
        return candidate
    return None


def home() -> Path:
    """Root of every prepared dataset, embedding, checkpoint and run record.

    GTEBENCH_HOME if set; else `.gtebench/` in the checkout; else ~/.cache/gtebench.
    """
    if os.environ.get(HOME_ENV):
        root = Path(os.environ[HOME_ENV]).expanduser()
    elif (checkout := repo_root()) is not None:
        root = checkout / ".gtebench"
    else:
        root = Path.home() / ".cache" / "gtebench"
    root.mkdir(parents=True, exist_ok=True)
    return root


def subdir(*parts: str) -> Path:
    """A folder under the gtebench home, created if missing."""
    path = home().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    """Committed results of the default profile (results/ in the checkout; under home() otherwise)."""
    checkout = repo_root()
    path = checkout / "results" if checkout is not None else home() / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir() -> Path:
    """The figures folder of the checkout (else under the gtebench home), created if missing."""
    checkout = repo_root()
    path = checkout / "figures" if checkout is not None else home() / "figures"
    path.mkdir(parents=True, exist_ok=True)
    return path


def for_record(path: Path) -> str:
    """A path as results record it: relative to the checkout when inside it (results stay valid in any clone)."""
    checkout = repo_root()
    path = Path(path).resolve()
    if checkout is not None and path.is_relative_to(checkout):
        return str(path.relative_to(checkout))
    return str(path)
