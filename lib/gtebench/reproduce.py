"""The papermill batch: run every notebook of a batch, keep the executed copies, report each one's status.

    python -m gtebench.reproduce --batch default            # what `make reproduce` runs
    python -m gtebench.reproduce --batch default -p seeds '[1, 2]' --only table1

A *batch* is a list of notebooks with their parameters (BATCHES, or a YAML file); the *training profile*
(gtebench.profiles) is one of those parameters, the compute a Table 1 run gets.

A failed notebook does not stop the others; it is reported with its error, and the batch exits non-zero.
Parameters given with -p are YAML values (lists, dicts, numbers) and override the batch's for every notebook
that declares them (`-p table1.seeds '[2020]'`: only in that notebook); a name that no notebook of the run
declares is an error before anything runs. A run whose parameters differ from the batch's writes its results,
figures and executed copies under custom/ folders, never over the committed ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .batches import BATCHES, CUSTOM_OUTPUT, GPU_BATCHES, NotebookRun, load_batch, notebooks_dir, select_runs


@dataclass
class NotebookStatus:
    notebook: str
    ok: bool
    seconds: float
    output: Path
    error: str = ""


def executed_dir(batch: str) -> Path:
    """Where a batch keeps its executed notebooks: results/executed for the default batch, a subfolder named
    after any other batch (or YAML file), so batches never overwrite each other's record."""
    name = batch if batch in BATCHES else Path(batch).stem
    base = paths.results_dir() / "executed"
    return base if name == "default" else base / name


def stream_notebook_output(enabled: bool) -> None:
    """What the notebooks print (tables, progress lines of the training runs) goes to the terminal as they run:
    papermill's log_output lines, without its per-cell chatter."""
    import logging

    class CellOutputOnly(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return not str(record.msg).startswith(("Executing", "Ending Cell", "Working directory", "Input Notebook",
                                                   "Output Notebook", "Black is"))

    logger = logging.getLogger("papermill")
    for handler in [h for h in logger.handlers if getattr(h, "gtebench", False)]:
        logger.removeHandler(handler)
    if enabled:
        handler = logging.StreamHandler(sys.stdout)
        handler.gtebench = True
        handler.setFormatter(logging.Formatter("    %(message)s"))
        handler.addFilter(CellOutputOnly())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def run_batch(batch: str, overrides: dict | None = None, only: list[str] | None = None,
              output_dir: Path | None = None, quiet: bool = False) -> list[NotebookStatus]:
    """Execute every notebook of a batch with papermill; a failed one is reported and the others still run.

    Args:
        batch: a name in BATCHES or a YAML batch file.
        overrides: parameters for every notebook that declares them.
        only: run only notebooks whose file name contains one of these.
        output_dir: where the executed copies go (default: executed_dir(batch)).
        quiet: only the notebook lines, no notebook output or training progress (GTEBENCH_QUIET for the kernels).
    """
    from .quiet import QUIET_ENV

    previous = os.environ.get(QUIET_ENV)
    if quiet:
        os.environ[QUIET_ENV] = "1"  # the kernels inherit it: no progress lines in the executed notebooks either
    stream_notebook_output(not quiet)
    try:
        return _run_notebooks(batch, overrides, only, output_dir, quiet)
    finally:
        if previous is None:
            os.environ.pop(QUIET_ENV, None)
        else:
            os.environ[QUIET_ENV] = previous


def _run_notebooks(batch: str, overrides: dict | None, only: list[str] | None, output_dir: Path | None,
                   quiet: bool) -> list[NotebookStatus]:
    """run_batch's loop, once the output streaming and GTEBENCH_QUIET are set."""
    import papermill as pm

    from .batch_plan import resolve_notebooks

    selected = select_runs(load_batch(batch), overrides, only)
    refused = [f.line() for plan in resolve_notebooks(selected) for f in plan.problems]
    if refused:  # each notebook's own config refuses these values: say so now, not minutes into the batch
        raise ValueError("these parameters would stop their notebooks; nothing has run:\n  - " + "\n  - ".join(refused)
                         + "\n(--dry-run shows every check)")
    custom = any(run.custom for run, _ in selected)
    output_dir = output_dir or (executed_dir(batch) / CUSTOM_OUTPUT if custom else executed_dir(batch))
    output_dir.mkdir(parents=True, exist_ok=True)
    if custom:
        print(f"[{batch}] the parameters differ from the batch's committed ones: results and figures go to "
              f"{paths.results_dir() / CUSTOM_OUTPUT} and {paths.figures_dir() / CUSTOM_OUTPUT}, never over the "
              "committed ones", flush=True)
    statuses = []
    begin = time.perf_counter()
    for number, (run, parameters) in enumerate(selected, 1):
        source = notebooks_dir() / run.notebook
        output = output_dir / run.notebook
        print(f"[{batch} {number}/{len(selected)}, {(time.perf_counter() - begin) / 60:.1f} min] {run.notebook} "
              f"{parameters}", flush=True)
        start = time.perf_counter()
        try:
            pm.execute_notebook(str(source), str(output), parameters=parameters, kernel_name="python3",
                                cwd=str(source.parent), progress_bar=False, log_output=not quiet)
            statuses.append(NotebookStatus(run.notebook, True, time.perf_counter() - start, output))
        except Exception as exc:  # papermill raises PapermillExecutionError with the failing cell
            statuses.append(NotebookStatus(run.notebook, False, time.perf_counter() - start, output, str(exc)))
        status = statuses[-1]
        print(f"  -> {'ok' if status.ok else 'FAILED'} in {status.seconds:.0f} s; executed copy: {output}", flush=True)
        if not status.ok:
            print("  " + status.error.replace("\n", "\n  "), flush=True)
    return statuses


def batch_estimate(runs: list[NotebookRun], overrides: dict | None = None):
    """GPU hours of a batch (gtebench.estimate), from each notebook's resolved datasets, encoders and runs."""
    from .batch_plan import plan_estimate, resolve_notebooks

    return plan_estimate(resolve_notebooks(select_runs(runs, overrides)))


def main(argv: list[str] | None = None) -> int:
    """Command line: run a batch of notebooks; exit status 1 if any failed."""
    import yaml

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", default="default", help=f"one of {sorted(BATCHES)}, or a YAML batch file")
    # --profile named the batch before training profiles and batches had their own names: still a batch
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="override a notebook parameter (YAML value)")
    parser.add_argument("--only", nargs="*", help="run only notebooks whose file name contains one of these")
    parser.add_argument("--output-dir", type=Path,
                        help="where executed copies go (default: results/executed, or results/executed/<batch>)")
    parser.add_argument("--quiet", action="store_true", help="print only one line per notebook (no notebook output, "
                        "no training progress)")
    parser.add_argument("--dry-run", action="store_true", help="check every dataset, model, version, revision and "
                        "API key the batch needs; print GPU hours, memory and disk per model; start no kernel")
    parser.add_argument("--cluster", help="run the training tasks on a Dask cluster: local:N, cuda, slurm:N or "
                        "tcp://host:port (gtebench.cluster; sets GTEBENCH_CLUSTER for the notebook kernels)")
    parser.add_argument("--gpus", nargs="+", type=int, metavar="N", help="with --dry-run: the batch as GPU tasks and "
                        "its simulated makespan on N GPUs (e.g. --gpus 1 8 64; gtebench.schedule)")
    args = parser.parse_args(argv)
    if args.profile is not None:
        if args.batch not in ("default", args.profile):
            parser.error(f"--profile is the old spelling of --batch; give one of them, not --batch {args.batch} "
                         f"and --profile {args.profile}")
        args.batch = args.profile
        print(f"note: --profile is now --batch; running --batch {args.profile} (the training profile is a notebook "
              f"parameter, e.g. -p profile paper)", file=sys.stderr, flush=True)
    overrides = {name: yaml.safe_load(value) for name, value in args.parameter}
    if args.dry_run:
        from .dryrun import dry_run, format_dry_run

        try:
            result = dry_run(args.batch, overrides, args.only)
        except (ValueError, FileNotFoundError) as exc:  # bad batch, -p or --only
            parser.error(str(exc))
        print(format_dry_run(result), flush=True)
        if args.gpus:
            from .schedule import schedule_report

            print("\n" + schedule_report(result.notebooks, args.gpus).text(), flush=True)
        return 0 if result.ok else 1
    if args.gpus:
        parser.error("--gpus simulates a schedule: give it with --dry-run")
    if args.cluster:
        from .cluster import CLUSTER_ENV, ClusterError, check_cluster

        try:
            os.environ[CLUSTER_ENV] = check_cluster(args.cluster)  # the kernels inherit it
        except ClusterError as exc:
            parser.error(str(exc))
    start = time.perf_counter()
    try:
        if args.batch in GPU_BATCHES:
            print(batch_estimate(load_batch(args.batch), overrides).report(), flush=True)
        statuses = run_batch(args.batch, overrides, args.only, args.output_dir, quiet=args.quiet)
    except (ValueError, FileNotFoundError) as exc:  # bad batch, -p or --only: nothing has run yet
        parser.error(str(exc))
    failed = [s for s in statuses if not s.ok]
    print(f"{len(statuses) - len(failed)} notebook(s) ok, {len(failed)} failed, "
          f"{time.perf_counter() - start:.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
