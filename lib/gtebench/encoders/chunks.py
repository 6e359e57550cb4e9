"""The resumable chunks of one embedding cache entry: rows grouped by text length, each chunk saved under
<stem>.parts/ as it finishes (array first, sidecar last: a sidecar means the chunk is complete), so a killed run,
or a killed shard worker (gtebench.encoders.cache.embed_shard), costs only the chunk it was encoding."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import read_json, save_npy, write_json
from .engine import encode
from .spec import EncoderError, EncoderSpec

log = logging.getLogger(__name__)

CHUNK_SIZE = 4096  # rows per saved chunk: minutes of CPU work at most, seconds on a GPU


class CacheError(EncoderError):
    """A cached embedding file that does not match what it claims to be."""


def validate(vectors: np.ndarray, meta: dict, path: Path) -> None:
    """A cached array whose shape, finiteness or all-zero rows disagree with its sidecar is a CacheError."""
    rows = meta.get("rows")
    if vectors.ndim != 2 or vectors.shape != (rows, meta.get("dim")):
        raise CacheError(f"{path}: shape {vectors.shape} does not match the sidecar ({rows}, {meta.get('dim')}); "
                         f"delete it")
    if not np.isfinite(vectors).all():
        raise CacheError(f"{path}: contains NaN or inf; delete it and encode again")
    zero = np.flatnonzero(~vectors.any(axis=1))
    if zero.size and meta.get("zero_rows_allowed") and zero.size != meta.get("zero_rows", zero.size):
        raise CacheError(f"{path}: {zero.size} all-zero row(s) where the sidecar records {meta['zero_rows']}; "
                         f"delete it")
    if zero.size and not meta.get("zero_rows_allowed"):
        raise CacheError(f"{path}: {zero.size} all-zero row(s), e.g. rows {zero[:5].tolist()}; delete it")


def chunk_order(texts: pd.Series, spec: EncoderSpec, chunk_size: int) -> list[np.ndarray]:
    """Row positions of each chunk. Rows are sorted by text length first (longest first, ties by position), so
    each chunk holds texts of similar length and batches inside it need little padding. Corpus-fitted encoders
    (tfidf-svd) take one chunk in the given order: the fit depends on the whole corpus and, through the
    randomised SVD, on its row order, so a reordering would give other vectors under the same cache key."""
    if spec.loader == "tfidf-svd":
        return [np.arange(len(texts))]
    if len(texts) <= chunk_size:
        chunk_size = max(len(texts), 1)
    lengths = texts.str.len().to_numpy()
    order = np.lexsort((np.arange(len(texts)), -lengths))
    return [order[i : i + chunk_size] for i in range(0, len(order), chunk_size)]


def load_part(npy: Path, rows: int, dim: int | None) -> tuple[np.ndarray, dict] | None:
    """A finished chunk (its sidecar is written after the array), or None when absent or unusable."""
    sidecar = npy.with_suffix(".json")
    if not (npy.is_file() and sidecar.is_file()):
        return None
    meta = read_json(sidecar)
    vectors = np.load(npy)
    try:
        validate(vectors, meta, npy)
    except CacheError as error:
        log.warning("re-encoding chunk %s: %s", npy.name, error)
        return None
    if meta["rows"] != rows or (dim is not None and meta["dim"] != dim):
        return None
    return vectors, meta


def fill_parts(parts: Path, chunks: list[np.ndarray], numbers, spec: EncoderSpec, texts: pd.Series, role: str,
               precision: str, device: str, batch_size: int, fit_corpus: pd.Series | None,
               show_progress: bool) -> list[tuple[np.ndarray, dict]]:
    """(vectors, sidecar) of chunks[n] for n in `numbers`, each loaded from `parts` when finished, else encoded
    and saved there (gtebench.encoders.engine.encode).

    Args:
        parts: the entry's <stem>.parts folder; chunks: row positions per chunk (chunk_order).
        numbers: which chunks, in the order returned; spec, texts, role: what to encode.
        precision: the resolved precision (never "auto"); device, batch_size: how.
        fit_corpus: the item texts, for corpus-fitted encoders encoding queries; show_progress: a bar per chunk.
    """
    values = texts.tolist()
    corpus = None if fit_corpus is None else fit_corpus.tolist()
    lexical = spec.loader == "tfidf-svd"
    done, dim = [], spec.dim
    for number in numbers:
        rows = chunks[number]
        part = parts / f"part-{number:05d}.npy"
        loaded = load_part(part, len(rows), dim)
        if loaded is None:
            chunk, report = encode(spec, [values[i] for i in rows], role, batch_size=batch_size, precision=precision,
                                   device=device, fit_corpus=corpus, show_progress=show_progress)
            part_meta = {"rows": int(chunk.shape[0]), "dim": int(chunk.shape[1]), "truncated": report.truncated,
                         "empty_texts": report.empty, "device": report.device, "zero_rows_allowed": lexical}
            validate(chunk, part_meta, part)
            save_npy(part, chunk)
            write_json(part.with_suffix(".json"), part_meta)  # last: a sidecar means the chunk is complete
            loaded = chunk, part_meta
        dim = loaded[1]["dim"]
        done.append(loaded)
    return done
