"""One pool encoded by several cluster workers: embed_shard tasks, one per worker, into the pool's cache entry, then
embed() assembles the file from the parts (gtebench.cluster says where the workers are)."""

from __future__ import annotations

import pandas as pd

from .cache import CHUNK_SIZE, Embeddings, embed, embed_shard, resolved_precision
from .chunks import chunk_order


def _shard_task(threads: int, *args, **kwargs) -> int:
    """embed_shard on a worker at `threads` torch threads: CPU floats depend on the thread count, so every shard
    runs at the count the process that asked for the pool uses, and the file is the one it would write itself."""
    import torch

    torch.set_num_threads(threads)
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
    import torch

    from ..cluster import TASK_RETRIES
    from .registry import get_encoder

    resolved = resolved_precision(encoder, texts, dataset=dataset, recipe_hash=recipe_hash, role=role,
                                  precision=precision)
    count = shards or len(chunk_order(texts, get_encoder(encoder), chunk_size))
    futures = [client.submit(_shard_task, torch.get_num_threads(), encoder, texts, shard=shard, shards=count,
                             dataset=dataset, recipe_hash=recipe_hash, role=role, precision=resolved,
                             chunk_size=chunk_size, key=f"encode-{dataset}-{encoder}-{role}-{shard}-of-{count}",
                             retries=TASK_RETRIES, pure=False)
               for shard in range(count)]
    client.gather(futures)  # raises the first shard's error once its retries are spent
    return embed(encoder, texts, dataset=dataset, recipe_hash=recipe_hash, role=role, precision=resolved,
                 chunk_size=chunk_size, show_progress=False)
