"""The batch on a Dask cluster (gtebench.cluster) against the same work on one worker, on this machine.

1. Training grid: SASRec ID runs on MovieLens-100k (the default profile, --seeds of them, --max-epochs each) on a
   local cluster of 2 one-thread workers against the same runs one after another in this process at one thread;
   prints the throughput ratio (goal >= 1.8x) and whether every record (epochs, valid and test metrics) is identical.
2. Sharded encoding: --texts real item texts (Home Depot product titles from ../shared/data; skipped with a message
   when absent) encoded with MiniLM in chunk tasks (embed_on_cluster: embed's chunk size, this process's thread
   count) on 2 workers against 1 worker, each into a fresh cache;
   prints the ratio (goal >= 1.8x) and whether the assembled files are byte-identical.
3. The makespan simulation of the paper batch on 1, 8 and 64 GPUs (gtebench.schedule; goal: 8 GPUs within 1.3x of
   perfect scaling).

    python benchmarks/bench_cluster.py [--seeds 4] [--max-epochs 4] [--texts 20000] [--skip-training]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _fresh_home() -> str:
    home = tempfile.mkdtemp(prefix="bench-cluster-")
    os.environ["GTEBENCH_HOME"] = home
    return home


def training_grid(seeds: int, max_epochs: int) -> None:
    import torch

    from gtebench.cluster import CLUSTER_ENV
    from gtebench.recsys.experiment import SRExperimentConfig
    from gtebench.recsys.run import run_many

    overrides = {"max_epochs": max_epochs, "parallel_runs": 1, "threads_per_run": 1}
    specs = SRExperimentConfig.from_params(datasets=["ml-100k"], backbones=["sasrec"], encoders=[],
                                           seeds=list(range(1, seeds + 1)), include_popularity=False,
                                           profile_overrides=overrides).run_specs()
    _fresh_home()
    os.environ.pop(CLUSTER_ENV, None)
    torch.set_num_threads(1)
    start = time.perf_counter()
    serial = run_many(specs, progress=False)
    serial_s = time.perf_counter() - start
    _fresh_home()
    os.environ[CLUSTER_ENV] = "local:2"
    start = time.perf_counter()
    clustered = run_many(specs, progress=False)  # includes starting the cluster: what a user waits for
    cluster_s = time.perf_counter() - start
    os.environ.pop(CLUSTER_ENV)

    def outcome(records):
        return [(r["epochs"], r["best_epoch"], sorted(r["valid"].items()), sorted(r["test"].items())) for r in records]

    print(f"training grid: {len(specs)} SASRec ID runs on ml-100k, {max_epochs} epochs at most, 1 thread per run")
    print(f"  serial, this process:     {serial_s:7.1f} s")
    print(f"  local cluster, 2 workers: {cluster_s:7.1f} s   throughput x{serial_s / cluster_s:.2f} (goal >= 1.8)")
    print(f"  identical records: {outcome(serial) == outcome(clustered)}")


def sharded_encoding(count: int) -> None:
    from gtebench.analysis import item_texts
    from gtebench.cluster import close_client, connect
    from gtebench.data import DataError
    from gtebench.encoders.distributed import embed_on_cluster

    try:
        texts, recipe = item_texts("homedepot")
    except (DataError, FileNotFoundError, ValueError) as exc:
        print(f"sharded encoding: skipped, Home Depot is not here ({exc})")
        return
    texts = texts.iloc[:count]
    timings, files = {}, {}
    for workers in (1, 2):
        _fresh_home()
        client = connect(f"local:{workers}")
        try:
            start = time.perf_counter()
            done = embed_on_cluster(client, "minilm-l6", texts, dataset="homedepot", recipe_hash=recipe,
                                    precision="fp32")
            timings[workers] = time.perf_counter() - start
            files[workers] = Path(done.path).read_bytes()
        finally:
            close_client(client)
    print(f"sharded encoding: {len(texts):,} Home Depot titles, MiniLM fp32, 1-thread workers")
    print(f"  1 worker:  {timings[1]:7.1f} s\n  2 workers: {timings[2]:7.1f} s   x{timings[1] / timings[2]:.2f} "
          f"(goal >= 1.8)")
    print(f"  byte-identical files: {files[1] == files[2]}")


def makespans() -> None:
    from gtebench.batch_plan import resolve_notebooks
    from gtebench.batches import load_batch, select_runs
    from gtebench.schedule import schedule_report

    for label, overrides in (("prefix rows", {}), ("all-positions", {"table1.profile": "paper-all-positions"})):
        print(f"paper batch, {label}:")
        print(schedule_report(resolve_notebooks(select_runs(load_batch("paper"), overrides)), [1, 8, 64]).text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=4, help="training runs in the grid")
    parser.add_argument("--max-epochs", type=int, default=4)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    if not args.skip_training:
        training_grid(args.seeds, args.max_epochs)
    sharded_encoding(args.texts)
    makespans()


if __name__ == "__main__":
    main()
