"""One failed cell costs one cell: what failed, why, and the file that lists it beside the results.

The experiments catch a failure per cell (an encoder that cannot load or encode, a dataset that cannot be
prepared, a missing API key), finish and write every other cell, write the failures to
`<results>_failures.csv` (one row per failed cell, with the error), and only then raise CellsFailed, whose
message lists each failure and its fix, so the notebook (and the papermill batch) ends non-zero. A notebook asks
the experiment not to raise (raise_failures=False), draws its tables and figures from what finished, and raises in
its last cell (raise_recorded_failures), so the executed notebook shows every finished cell and still fails.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .io import atomic_open

FAILURE_COLUMNS = ["dataset", "cell", "model", "error_type", "error"]


@dataclass(frozen=True)
class CellFailure:
    dataset: str
    cell: str  # what did not run: "encode", a run label, "prepare"
    model: str
    error_type: str
    error: str

    @classmethod
    def from_exception(cls, dataset: str, cell: str, model: str, exc: BaseException) -> "CellFailure":
        """A failure record for `cell` of (`dataset`, `model`) from `exc`, the exception that ended it."""
        return cls(dataset, cell, model, type(exc).__name__, str(exc).strip() or repr(exc))


class CellsFailed(RuntimeError):
    """Some cells failed; every other cell completed and is written."""


def failures_file(results_file: Path) -> Path:
    """Where the failures of a results file are listed: `<stem>_failures.csv` beside it."""
    return results_file.with_name(results_file.stem + "_failures.csv")


def write_failures(failures: list[CellFailure], results_file: Path) -> None:
    """Write (or, with no failures, remove) the failures file of `results_file`; atomic."""
    path = failures_file(results_file)
    if not failures:
        path.unlink(missing_ok=True)
        return
    frame = pd.DataFrame([asdict(f) for f in failures], columns=FAILURE_COLUMNS)
    with atomic_open(path, "w", newline="") as handle:
        frame.to_csv(handle, index=False)


def read_failures(results_file: Path) -> list[CellFailure]:
    """The failures recorded beside `results_file` (none when its failures file is absent)."""
    path = failures_file(results_file)
    if not path.is_file():
        return []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(FAILURE_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"{path} lacks the columns {sorted(missing)}: it was not written by gtebench.failures; "
                         "delete it and rerun the experiment")
    return [CellFailure(**{c: row[c] for c in FAILURE_COLUMNS}) for _, row in frame.iterrows()]


def raise_recorded_failures(results_file: Path) -> None:
    """A notebook's last cell: CellsFailed if the experiment that wrote `results_file` recorded failures."""
    raise_if_failed(read_failures(Path(results_file)), Path(results_file))


def raise_if_failed(failures: list[CellFailure], results_file: Path) -> None:
    """After everything is written: raise CellsFailed with one line per failure (its error carries the fix)."""
    if failures:
        lines = [f"- {f.dataset} / {f.model} ({f.cell}): {f.error_type}: {f.error}" for f in failures]
        raise CellsFailed(f"{len(failures)} cell(s) failed; every other cell is in {results_file}, the failures in "
                          f"{failures_file(results_file)}:\n" + "\n".join(lines))
