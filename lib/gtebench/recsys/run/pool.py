"""Many runs side by side: worker processes that die with their parent, one log file per run, records in order."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import sys

from ...cluster import MALLOC_ENV, close_client, cluster_setting, connect
from ...quiet import quiet
from .build import run_embeddings
from .progress import RunProgress
from .spec import RunSpec
from .train import finished_record, train_and_evaluate


def _die_with_parent() -> None:
    """A worker of a killed notebook kernel would otherwise train on, orphaned, eating the CPU (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def worker_init(threads: int | None) -> None:
    """Initializer of a worker process: die with the parent, use `threads` torch threads, warnings to stderr."""
    import torch

    _die_with_parent()
    if threads:
        torch.set_num_threads(threads)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)  # epoch lines go to the run's train.log, not the notebook
    logging.getLogger().addHandler(console)


def _logged_run(spec: RunSpec) -> dict:
    """train_and_evaluate with RecBole's epoch lines in the run's train.log (progress.py reads them)."""
    handler = logging.FileHandler(spec.run_dir() / "train.log", mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        return train_and_evaluate(spec)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def run_many(specs: list[RunSpec], parallel: int | None = None, threads: int | None = None,
             progress: bool = True, failures: list | None = None) -> list[dict]:
    """Run every spec (reusing finished ones), `parallel` at a time in spawned processes; records in spec order.

    With a `failures` list, a (dataset, encoder) that cannot be encoded or a run that raises costs only its own
    runs: each is appended there as a gtebench.failures.CellFailure and left out of the records, and every other
    run completes; runs without an encoder train before any encoding starts. Without it, the first error
    propagates.

    Args:
        specs: the runs.
        parallel: runs side by side; None = the first spec's profile's parallel_runs. With 1, runs execute in
            this process.
        threads: torch threads per worker process; None = the first spec's profile's threads_per_run.
        progress: print progress lines (gtebench.recsys.run.progress); GTEBENCH_QUIET=1 turns them off too.
    """
    if not specs:
        return []
    profile = specs[0].profile
    parallel = parallel or profile.parallel_runs
    threads = threads if threads is not None else profile.threads_per_run
    records: dict[int, dict] = {}
    # Isolated (a failures list): runs without an encoder train first, so no encoder, however slow or broken,
    # holds them up; then the encodings, then the text runs. Otherwise all encodings first, as one phase.
    phases = [[i for i, s in enumerate(specs) if not s.encoder], [i for i, s in enumerate(specs) if s.encoder]]
    if failures is None:
        phases = [list(range(len(specs)))]
    cluster = cluster_setting()  # GTEBENCH_CLUSTER: encodings and runs become tasks of a Dask cluster
    client = connect(cluster) if cluster is not None else None
    try:
        _run_phases(specs, phases, records, parallel, threads, progress, failures, client)
    finally:
        if client is not None:
            close_client(client)
    return [records[i] for i in range(len(specs)) if i in records]


def _run_phases(specs, phases, records: dict, parallel: int, threads, progress: bool, failures: list | None,
                client) -> None:
    """run_many's phases: encode ahead, reuse finished runs, train the rest (on the cluster when `client`)."""
    for phase in phases:
        # once per (dataset, encoder), before any run starts: in this process, or in shards on the cluster
        broken = _encode_ahead([specs[i] for i in phase], failures, client)
        todo = []
        for index in phase:
            if (specs[index].dataset, specs[index].encoder) in broken:
                continue  # its encoder failed: recorded once per (dataset, encoder) by _encode_ahead
            if (record := finished_record(specs[index])) is not None:
                records[index] = record
            else:
                todo.append(index)
        reused = sum(1 for i in phase if i in records)
        if progress and reused and not quiet():
            print(f"  {reused} finished run(s) reused", flush=True)
        _train(specs, todo, records, parallel, threads, progress, failures, client)


def _train(specs, todo: list[int], records: dict, parallel: int, threads, progress: bool,
           failures: list | None, client=None) -> None:
    """Train specs[i] for i in todo, serially or `parallel` at a time, into records[i], with progress lines."""
    todo = sorted(todo, key=lambda i: specs[i].variant == "id")  # text runs take longest: start them first
    with RunProgress(len(todo), enabled=progress) as shown:
        def start(index: int) -> None:
            spec = specs[index]
            shown.start(spec.label, spec.run_dir() / "train.log", spec.profile.stopping_step)

        if client is not None and todo:  # the engine places them (gtebench.cluster): retried if a worker dies
            _train_on_cluster(client, specs, todo, records, threads, start, shown, failures)
            return
        if parallel == 1 or len(todo) <= 1:
            for index in todo:
                start(index)
                _collect(records, index, specs[index], lambda: _logged_run(specs[index]), failures)
                shown.finish(specs[index].label, records.get(index))
            return
        for key, value in MALLOC_ENV.items():  # read by glibc when each worker process starts
            os.environ.setdefault(key, value)
        context = multiprocessing.get_context("spawn")
        waiting = list(todo)
        with cf.ProcessPoolExecutor(parallel, mp_context=context, initializer=worker_init,
                                    initargs=(threads,)) as pool:
            futures: dict = {}
            while waiting or futures:
                while waiting and len(futures) < parallel:  # submitted = started, so progress knows what runs
                    index = waiting.pop(0)
                    start(index)
                    futures[pool.submit(_logged_run, specs[index])] = index
                done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    index = futures.pop(future)
                    _collect(records, index, specs[index], future.result, failures)
                    shown.finish(specs[index].label, records.get(index))


def _cluster_run(spec: RunSpec, threads: int | None) -> dict:
    """One run on a cluster worker: `threads` torch threads (the process pool's worker_init), then _logged_run."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    return _logged_run(spec)


def _train_on_cluster(client, specs, todo: list[int], records: dict, threads, start, shown,
                      failures: list | None) -> None:
    """_train's loop on a Dask cluster: every run a task (retried TASK_RETRIES times; a dead worker's task is
    redone elsewhere by the engine), records collected as tasks finish, failures recorded as the pool's are.

    Args:
        client: a dask.distributed Client; specs, todo, records, failures: as _train's.
        threads: torch threads per run; start, shown: _train's progress callbacks.
    """
    from distributed import as_completed

    from ...cluster import TASK_RETRIES

    futures = {}
    for index in todo:
        start(index)
        futures[client.submit(_cluster_run, specs[index], threads, key=f"train-{specs[index].run_id}-{index}",
                              retries=TASK_RETRIES, pure=False)] = index
    for future in as_completed(futures):
        index = futures[future]
        _collect(records, index, specs[index], future.result, failures)
        shown.finish(specs[index].label, records.get(index))


def _collect(records: dict, index: int, spec: RunSpec, result, failures: list | None) -> None:
    """records[index] = result(), or with a failures list, the exception recorded there instead."""
    if failures is None:
        records[index] = result()
        return
    try:
        records[index] = result()
    except Exception as exc:  # one run's failure costs that run only; the message is kept for the summary
        from ...failures import CellFailure

        failures.append(CellFailure.from_exception(spec.dataset, spec.label, spec.encoder or spec.backbone, exc))


def _encode_ahead(specs: list[RunSpec], failures: list | None = None, client=None) -> set:
    """Fill the embedding cache once per (dataset, encoder) before any run starts (in this process, or in shards
    on the cluster's workers with a `client`); with a failures list, the (dataset, encoder) pairs that could not
    be encoded are recorded there and returned."""
    first = {(s.dataset, s.encoder): s for s in specs if s.encoder}
    broken = set()
    for key in sorted(first):
        if failures is None:
            run_embeddings(first[key], show_progress=True, client=client)
            continue
        try:
            run_embeddings(first[key], show_progress=True, client=client)
        except Exception as exc:  # e.g. EncoderError (unmet requirements, missing weights, no API key)
            from ...failures import CellFailure

            failures.append(CellFailure.from_exception(key[0], "encode", key[1], exc))
            broken.add(key)
    return broken
