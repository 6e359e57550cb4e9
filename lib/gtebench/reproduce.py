"""The papermill batch: run every notebook of a profile, keep the executed copies, report each one's status.

    python -m gtebench.reproduce --profile default            # what `make reproduce` runs
    python -m gtebench.reproduce --profile default -p seeds '[1, 2]' --only table1

A failed notebook does not stop the others; it is reported with its error, and the batch exits non-zero.
Parameters given with -p are YAML values (lists, dicts, numbers) and override the profile's for every notebook
that declares them.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .encoders.registry import PAPER_ENCODERS
from .registry import did_you_mean

PAPER_ENCODER_KEYS = tuple(spec.key for spec in PAPER_ENCODERS)


@dataclass(frozen=True)
class NotebookRun:
    notebook: str  # file name in notebooks/
    parameters: dict = field(default_factory=dict)


BATCH_PROFILES: dict[str, list[NotebookRun]] = {
    "default": [
        NotebookRun("table1_sequential_recommendation.ipynb", {"profile": "default"}),
        NotebookRun("dataset_statistics.ipynb"),
        NotebookRun("embedding_analysis.ipynb"),
    ],
    "paper": [
        NotebookRun(
            "table1_sequential_recommendation.ipynb",
            {"profile": "paper", "results_file": "sr_paper.csv", "figure_file": "sr_paper"},
        ),
        # The paper's PCA analysis is of its product-search catalogues, with every vector model of its Table 2
        # (BM25 has no vectors; text-embedding-3-large needs OPENAI_API_KEY).
        NotebookRun(
            "embedding_analysis.ipynb",
            {"datasets": ["esci", "amazon-c4"], "encoders": list(PAPER_ENCODER_KEYS), "profile": "paper",
             "results_file": "analysis_paper.csv", "spectrum_file": "analysis_spectrum_paper.csv",
             "figure_prefix": "embedding_paper"},
        ),
    ],
}


@dataclass
class NotebookStatus:
    notebook: str
    ok: bool
    seconds: float
    output: Path
    error: str = ""


def notebooks_dir() -> Path:
    root = paths.repo_root()
    if root is None:
        raise FileNotFoundError("the notebooks ship with the repository checkout; run from a clone (pip install -e .)")
    return root / "notebooks"


def _declared_parameters(path: Path) -> set[str]:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            names = set()
            for line in cell.source.splitlines():
                name = line.split("=", 1)[0].strip()
                if "=" in line and name.isidentifier():
                    names.add(name)
            return names
    raise ValueError(f"{path} has no cell tagged 'parameters'")


def run_batch(profile: str, overrides: dict | None = None, only: list[str] | None = None,
              output_dir: Path | None = None) -> list[NotebookStatus]:
    import papermill as pm

    if profile not in BATCH_PROFILES:
        raise ValueError(f"unknown batch profile {profile!r}; known: {sorted(BATCH_PROFILES)}.{did_you_mean(profile, BATCH_PROFILES)}")
    runs = BATCH_PROFILES[profile]
    if only:
        runs = [r for r in runs if any(o in r.notebook for o in only)]
        if not runs:
            raise ValueError(f"--only {only} matches no notebook of profile {profile!r}: {[r.notebook for r in BATCH_PROFILES[profile]]}")
    output_dir = output_dir or paths.results_dir() / "executed"
    output_dir.mkdir(parents=True, exist_ok=True)
    statuses = []
    for run in runs:
        source = notebooks_dir() / run.notebook
        declared = _declared_parameters(source)
        parameters = {**run.parameters, **{k: v for k, v in (overrides or {}).items() if k in declared}}
        output = output_dir / run.notebook
        print(f"[{profile}] {run.notebook} {parameters}", flush=True)
        start = time.perf_counter()
        try:
            pm.execute_notebook(str(source), str(output), parameters=parameters, kernel_name="python3",
                                cwd=str(source.parent), progress_bar=False, log_output=False)
            statuses.append(NotebookStatus(run.notebook, True, time.perf_counter() - start, output))
        except Exception as exc:  # papermill raises PapermillExecutionError with the failing cell
            statuses.append(NotebookStatus(run.notebook, False, time.perf_counter() - start, output, str(exc)))
        status = statuses[-1]
        print(f"  -> {'ok' if status.ok else 'FAILED'} in {status.seconds:.0f} s; executed copy: {output}", flush=True)
        if not status.ok:
            print("  " + status.error.replace("\n", "\n  "), flush=True)
    return statuses


def main(argv: list[str] | None = None) -> int:
    import yaml

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="default", help=f"one of {sorted(BATCH_PROFILES)}")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="override a notebook parameter (YAML value)")
    parser.add_argument("--only", nargs="*", help="run only notebooks whose file name contains one of these")
    parser.add_argument("--output-dir", type=Path, help="where executed copies go (default: results/executed)")
    args = parser.parse_args(argv)
    overrides = {name: yaml.safe_load(value) for name, value in args.parameter}
    start = time.perf_counter()
    statuses = run_batch(args.profile, overrides, args.only, args.output_dir)
    failed = [s for s in statuses if not s.ok]
    print(f"{len(statuses) - len(failed)} notebook(s) ok, {len(failed)} failed, {time.perf_counter() - start:.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
