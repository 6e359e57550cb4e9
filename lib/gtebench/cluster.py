"""Where a batch's tasks run: a setting, not code. Dask distributed is the engine (Ray was the other candidate, but
RecBole 1.2.1 pins ray<=2.6.3, which does not import on today's setuptools).

GTEBENCH_CLUSTER (or `reproduce --cluster`, which sets it for the notebook kernels) names the cluster:

    local:N          a local cluster of N one-thread worker processes (tests, one machine's cores)
    cuda             one worker per visible GPU on this node (dask-cuda's LocalCUDACluster)
    slurm:N          N Slurm jobs of one worker each (dask-jobqueue's SLURMCluster; queue, account, walltime from
                     the usual ~/.config/dask/jobqueue.yaml)
    tcp://host:port  a scheduler that is already running (`dask scheduler` + `dask worker` on the machines)

Unset, runs use the built-in process pool (gtebench.recsys.run.pool). The engine retries a task whose worker died
(kill -9, a preempted node) on another worker; a task that raises is retried `TASK_RETRIES` times, then reported
as that cell's failure while everything that does not depend on it completes.
"""

from __future__ import annotations

import os
import re

from .hints import did_you_mean

CLUSTER_ENV = "GTEBENCH_CLUSTER"
TASK_RETRIES = 1  # a task that raises runs once more (a transient error); a model that cannot load fails twice
KINDS = ("local:N", "cuda", "slurm:N", "tcp://host:port")


# glibc keeps the ~13 MB activation buffers of a training step instead of mmap/munmap-ing them every step; read
# when a worker process starts (the process pool sets them; Dask's nanny otherwise sets MALLOC_TRIM_THRESHOLD_=65536,
# which returns every freed buffer to the kernel and makes a training step much slower).
MALLOC_ENV = {
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "4294967296",
    "MALLOC_TOP_PAD_": "268435456",
}


class ClusterError(ValueError):
    """A cluster setting that names no known kind, or an engine that is not installed."""


def cluster_setting() -> str | None:
    """The GTEBENCH_CLUSTER setting, checked; None when unset (the built-in process pool)."""
    value = os.environ.get(CLUSTER_ENV, "").strip()
    if not value:
        return None
    check_cluster(value)
    return value


def check_cluster(spec: str) -> str:
    """`spec` if it names a cluster kind (KINDS), else a ClusterError with the kinds and the closest one."""
    if re.fullmatch(r"(local|slurm):[1-9]\d*", spec) or spec == "cuda" or re.fullmatch(r"tcp://[\w.-]+:\d+", spec):
        return spec
    raise ClusterError(f"cluster {spec!r}: give one of {list(KINDS)} (e.g. local:2).{did_you_mean(spec, KINDS)}")


def connect(spec: str):
    """A dask.distributed Client on the cluster `spec` names (see the module); the client owns a cluster it starts,
    so closing the client (a `with` block) stops it."""
    check_cluster(spec)
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError(f"cluster {spec!r} needs dask distributed: pip install 'dask[distributed]' "
                           f"({exc})") from None
    if spec.startswith("tcp://"):  # its workers' environment is theirs: docs/gpu.md says to set MALLOC_ENV there
        return Client(spec)
    import dask

    # for the workers started here: Dask's one-thread BLAS/OpenMP settings kept (a worker is one core), its malloc
    # trimming replaced by the training processes' settings
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    dask.config.set({"distributed.nanny.pre-spawn-environ": {**environ, **MALLOC_ENV}})
    if spec.startswith("local:"):
        cluster = LocalCluster(n_workers=int(spec.split(":")[1]), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    elif spec == "cuda":
        try:
            from dask_cuda import LocalCUDACluster
        except ImportError:
            raise ClusterError("cluster 'cuda' needs dask-cuda: pip install dask-cuda") from None
        cluster = LocalCUDACluster(threads_per_worker=1)
    else:
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise ClusterError("cluster 'slurm:N' needs dask-jobqueue: pip install dask-jobqueue") from None
        cluster = SLURMCluster(processes=1, cores=int(os.environ.get("GTEBENCH_SLURM_CORES", "8")))
        cluster.scale(jobs=int(spec.split(":")[1]))
    client = Client(cluster)
    client._gtebench_owns = cluster  # closed with the client (close_client)
    return client


def close_client(client) -> None:
    """Close the client and the cluster it started."""
    cluster = getattr(client, "_gtebench_owns", None)
    client.close()
    if cluster is not None:
        cluster.close()
