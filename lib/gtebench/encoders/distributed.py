"""One pool encoded by several cluster workers: embed_shard tasks, one per worker, into the pool's cache entry, then
embed() assembles the file from the parts (gtebench.cluster says where the workers are)."""

from __future__ import annotations

import pandas as pd

from .cache import Embeddings, embed, embed_shard, resolved_precision
from .chunks import chunk_order

# Rows per chunk on a cluster: a quarter of the single-process chunk, so a pool splits into enough tasks to keep
# every worker busy to the end (20,000 texts: 20 tasks, not 5) and a dead worker costs seconds. A multiple of the
# encoding batch (64), so the batches, and the vectors, are the ones larger chunks give.
CLUSTER_CHUNK_SIZE = 1024


def embed_on_cluster(client, encoder: str, texts: pd.Series, *, dataset: str, recipe_hash: str, role: str = "item",
                     precision: str = "auto", shards: int | None = None,
                     chunk_size: int = CLUSTER_CHUNK_SIZE) -> Embeddings:
    """embed() with the chunks encoded on the cluster's workers (a dead worker's shard is redone by the engine:
    finished chunks are kept, nothing half-written is read); the file is the one a single process writes.

    Args:
        client: a dask.distributed Client (gtebench.cluster.connect).
        encoder, texts, dataset, recipe_hash, role, chunk_size: as embed's.
        precision: resolved here once ("auto" is timed on this machine), then given to every shard.
        shards: tasks for the pool; default: one per chunk (the engine balances them over the workers).
    """
    from ..cluster import TASK_RETRIES

    resolved = resolved_precision(encoder, texts, dataset=dataset, recipe_hash=recipe_hash, role=role,
                                  precision=precision)
    from .registry import get_encoder

    count = shards or len(chunk_order(texts, get_encoder(encoder), chunk_size))
    futures = [client.submit(embed_shard, encoder, texts, shard=shard, shards=count, dataset=dataset,
                             recipe_hash=recipe_hash, role=role, precision=resolved, chunk_size=chunk_size,
                             key=f"encode-{dataset}-{encoder}-{role}-{shard}-of-{count}", retries=TASK_RETRIES,
                             pure=False)
               for shard in range(count)]
    client.gather(futures)  # raises the first shard's error once its retries are spent
    return embed(encoder, texts, dataset=dataset, recipe_hash=recipe_hash, role=role, precision=resolved,
                 chunk_size=chunk_size, show_progress=False)
