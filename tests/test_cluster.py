"""Training runs as tasks on a Dask cluster (gtebench.cluster): the same records as the serial run, a worker killed
with SIGKILL mid-task costs only that task (redone elsewhere), a run that fails for good is reported as its cell."""

import os
import signal
import threading
import time

import pytest

from gtebench.cluster import CLUSTER_ENV, ClusterError, check_cluster, cluster_setting
from gtebench.recsys.experiment import SRExperimentConfig
from gtebench.recsys.run import run_many

TINY = {"max_users": 80, "max_epochs": 3, "stopping_step": 3, "parallel_runs": 1, "threads_per_run": 1}


def specs(seeds=(1, 2), **overrides):
    config = SRExperimentConfig.from_params(datasets=["ml-100k"], backbones=["sasrec"], encoders=[], seeds=list(seeds),
                                            include_popularity=False, profile_overrides={**TINY, **overrides})
    return config.run_specs()


def scores(records: list[dict]) -> list[tuple]:
    """What a run produced: its epochs and every valid and test metric, exactly."""
    return [(r["best_epoch"], r["epochs"], sorted(r["valid"].items()), sorted(r["test"].items())) for r in records]


def test_cluster_settings_are_checked(monkeypatch):
    assert check_cluster("local:2") == "local:2" and check_cluster("tcp://10.0.0.1:8786") == "tcp://10.0.0.1:8786"
    with pytest.raises(ClusterError, match="give one of .*local:N"):
        check_cluster("locl:2")
    monkeypatch.setenv(CLUSTER_ENV, "local:0")
    with pytest.raises(ClusterError, match="local:0"):
        cluster_setting()
    monkeypatch.delenv(CLUSTER_ENV)
    assert cluster_setting() is None


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    """A local cluster of 2 one-thread workers, its address in GTEBENCH_CLUSTER, a fresh GTEBENCH_HOME."""
    from distributed import Client, LocalCluster

    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "cluster-home"))  # the workers inherit it
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        monkeypatch.setenv(CLUSTER_ENV, local.scheduler_address)
        with Client(local) as client:
            yield client


@pytest.mark.slow
def test_runs_on_the_cluster_equal_the_serial_runs_and_survive_a_killed_worker(cluster, tmp_path, monkeypatch):
    from gtebench import paths

    runs = specs()
    worker_pids = cluster.run(os.getpid)
    killed = {}

    def kill_a_worker_mid_task():  # once the first epoch line is written, SIGKILL the worker that wrote it
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            for spec in runs:
                log = spec.run_dir() / "train.log"
                if log.is_file() and "epoch" in log.read_text():
                    pid = next(iter(worker_pids.values()))
                    os.kill(pid, signal.SIGKILL)
                    killed["pid"] = pid
                    return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_a_worker_mid_task)
    killer.start()
    failures: list = []
    on_cluster = run_many(runs, failures=failures, progress=False)
    killer.join()
    assert killed, "no worker was killed: the runs finished before any epoch line appeared"
    assert failures == [] and len(on_cluster) == 2  # the killed worker's task was redone by the engine
    cluster_home = paths.home()
    monkeypatch.delenv(CLUSTER_ENV)
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "serial-home"))
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the workers' thread count: the same floats
    try:
        serial = run_many(specs(), progress=False)
    finally:
        torch.set_num_threads(threads)
    assert paths.home() != cluster_home
    assert scores(on_cluster) == scores(serial)


@pytest.mark.slow
def test_a_run_that_fails_for_good_is_its_cells_failure_and_the_others_complete(cluster):
    good = specs(seeds=(1,))
    bad = specs(seeds=(1,), backbone_overrides={"sasrec": {"id": {"n_heads": 7}}})  # hidden size not a multiple
    failures: list = []
    records = run_many(good + bad, failures=failures, progress=False)
    assert len(records) == 1 and len(failures) == 1
    assert failures[0].cell == bad[0].label and "multiple" in failures[0].error


@pytest.mark.slow
def test_a_pool_encoded_in_shards_on_the_cluster_is_the_file_one_process_writes(cluster, tmp_path, monkeypatch):
    from gtebench.analysis import item_texts
    from gtebench.encoders.cache import embed
    from gtebench.encoders.distributed import embed_on_cluster

    texts, recipe = item_texts("esci-sample200")
    arguments = dict(dataset="esci-sample200", recipe_hash=recipe, precision="fp32", chunk_size=64)
    sharded = embed_on_cluster(cluster, "minilm-l6", texts, **arguments)  # 4 chunks, 4 tasks over 2 workers
    assert sharded.vectors.shape == (200, 384)
    sharded_bytes = sharded.path.read_bytes()
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "one-process"))
    alone = embed("minilm-l6", texts, show_progress=False, **arguments)  # at this process's threads, as the shards
    assert alone.path != sharded.path and alone.path.read_bytes() == sharded_bytes
