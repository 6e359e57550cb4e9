"""One pool encoded by several cluster workers: embed_shard tasks, one per worker, into the pool's cache entry, then
embed() assembles the file from the parts (gtebench.cluster says where the workers are)."""

from __future__ import annotations

import pandas as pd

from .cache import CHUNK_SIZE, Embeddings, embed, embed_shard, resolved_precision
from .chunks import chunk_order


def _thread_counts() -> tuple[int, int | None]:
    """This process's torch threads and BLAS threads (numpy's, which TF-IDF + SVD uses; None if unknown)."""
    import torch
    from threadpoolctl import threadpool_info

    blas = [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return torch.get_num_threads(), max(blas) if blas else None


def _shard_task(threads: tuple[int, int | None], *args, **kwargs) -> int:
    """embed_shard on a worker at the requesting process's torch and BLAS thread counts: CPU floats depend on
    them, so the file is the one that process would write itself (a Dask worker starts at one BLAS thread)."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads[0])
    with threadpool_limits(limits=threads[1], user_api="blas"):
        return embed_shard(*args, **kwargs)


def embed_on_cluster(client, encoder: str, texts: pd.Series, *, dataset: str, recipe_hash: str, role: str = "item",
                     precision: str = "auto", shards: int | None = None, chunk_size: int = CHUNK_SIZE) -> Embeddings:
    """embed() with the chunks encoded on the cluster's workers (a dead worker's shard is redone by the engine:
    finished chunks are kept, nothing half-written is read); the file is the one this process would write: the
    same chunks (chunk_size: embed's, since the batches inside a chunk depend on it) at this process's thread count.

    Args:
        client: a dask.distributed Client (gtebench.cluster.connect).
        encoder, texts, dataset, recipe_hash, role, chunk_size: as embed's.
        precision: resolved here once ("auto" is timed on this machine), then given to every shard.
        shards: tasks for the pool; default: one per chunk (the engine balances them over the workers).
    """
    from ..cluster import TASK_RETRIES
    from .registry import get_encoder

    resolved = resolved_precision(encoder, texts, dataset=dataset, recipe_hash=recipe_hash, role=role,
                                  precision=precision)
    count = shards or len(chunk_order(texts, get_encoder(encoder), chunk_size))
    threads = _thread_counts()
    futures = [client.submit(_shard_task, threads, encoder, texts, shard=shard, shards=count,
                             dataset=dataset, recipe_hash=recipe_hash, role=role, precision=resolved,
                             chunk_size=chunk_size, key=f"encode-{dataset}-{encoder}-{role}-{shard}-of-{count}",
                             retries=TASK_RETRIES, pure=False)
               for shard in range(count)]
    client.gather(futures)  # raises the first shard's error once its retries are spent
    return embed(encoder, texts, dataset=dataset, recipe_hash=recipe_hash, role=role, precision=resolved,
                 chunk_size=chunk_size, show_progress=False)
