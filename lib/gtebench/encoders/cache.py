"""The embedding cache: one .npy per (model, weights, dataset, text recipe, role, precision) with a JSON sidecar.

The file name carries a hash of every input that changes a vector (the texts included), so a stale vector is
never reused: change a recipe, a prompt, the precision or the weights and the key changes. Files are written
atomically (sidecar last), and validated on load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..io import read_json, save_npy, sha256_bytes, stable_hash, write_json
from ..results import package_versions
from .engine import encode, resolve_device, resolve_precision
from .offline import weights_version
from .registry import EncoderError, EncoderSpec, get_encoder

log = logging.getLogger(__name__)


class CacheError(EncoderError):
    """A cached embedding file that does not match what it claims to be."""


def _checksum(values) -> str:
    return sha256_bytes("\n".join(map(str, values)).encode())[:16]


@dataclass
class Embeddings:
    ids: list[str]  # row i is the vector of ids[i]
    vectors: np.ndarray  # float32, (len(ids), dim)
    meta: dict
    path: Path
    from_cache: bool

    def aligned(self, ids: list[str]) -> np.ndarray:
        """Rows reordered to `ids` (every id must be present)."""
        position = {item: row for row, item in enumerate(self.ids)}
        missing = [i for i in ids if i not in position]
        if missing:
            raise CacheError(f"{len(missing)} id(s) have no embedding in {self.path}, e.g. {missing[:5]}")
        return self.vectors[[position[i] for i in ids]]


def cache_key(spec: EncoderSpec, dataset: str, recipe_hash: str, role: str, precision: str, texts: pd.Series) -> dict:
    return {
        "model": spec.key,
        "hub_id": spec.hub_id,
        "weights": weights_version(spec),
        "loader": spec.loader,
        "pooling": spec.pooling,
        "normalize": spec.normalize,
        "max_length": spec.max_length,
        "dim": spec.dim,
        "prompt": spec.prompt(role),
        "role": role,
        "precision": precision,
        "dataset": dataset,
        "recipe": recipe_hash,
        "ids_sha": _checksum(texts.index),
        "texts_sha": _checksum(texts.to_numpy()),
    }


def validate(vectors: np.ndarray, meta: dict, path: Path) -> None:
    rows = meta.get("rows")
    if vectors.ndim != 2 or vectors.shape != (rows, meta.get("dim")):
        raise CacheError(f"{path}: shape {vectors.shape} does not match the sidecar ({rows}, {meta.get('dim')}); delete it")
    if not np.isfinite(vectors).all():
        raise CacheError(f"{path}: contains NaN or inf; delete it and encode again")
    zero = np.flatnonzero(~vectors.any(axis=1))
    if zero.size:
        raise CacheError(f"{path}: {zero.size} all-zero row(s), e.g. rows {zero[:5].tolist()}; delete it")


def embed(
    encoder: str | EncoderSpec,
    texts: pd.Series,
    *,
    dataset: str,
    recipe_hash: str,
    role: str = "item",
    precision: str = "auto",
    device: str | None = None,
    batch_size: int = 64,
    fit_corpus: pd.Series | None = None,
    show_progress: bool = True,
) -> Embeddings:
    """Vectors for `texts` (a Series: index = item or query ids), from the cache when the key matches."""
    spec = get_encoder(encoder) if isinstance(encoder, str) else encoder
    if texts.index.has_duplicates:
        dup = texts.index[texts.index.duplicated()].unique()[:5].tolist()
        raise EncoderError(f"duplicate ids in the texts to encode for {dataset!r}: {dup}")
    device = resolve_device(device)
    resolved = "fp64" if spec.loader == "tfidf-svd" else resolve_precision(precision, device)
    key = cache_key(spec, dataset, recipe_hash, role, resolved, texts)
    folder = paths.subdir("embeddings", dataset.replace("/", "_"), spec.key)
    stem = f"{role}-{stable_hash(key, 16)}"
    npy, sidecar = folder / f"{stem}.npy", folder / f"{stem}.json"
    ids = [str(i) for i in texts.index]
    if npy.is_file() and sidecar.is_file():
        meta = read_json(sidecar)
        if meta.get("key") == key:
            vectors = np.load(npy, mmap_mode="r")
            validate(vectors, meta, npy)
            return Embeddings(ids, np.asarray(vectors, dtype=np.float32), meta, npy, from_cache=True)
    vectors, report = encode(
        spec,
        texts.tolist(),
        role,
        batch_size=batch_size,
        precision=resolved if resolved != "fp64" else "auto",
        device=device,
        fit_corpus=None if fit_corpus is None else fit_corpus.tolist(),
        show_progress=show_progress,
    )
    meta = {
        "key": key,
        "rows": int(vectors.shape[0]),
        "dim": int(vectors.shape[1]),
        "dtype": str(vectors.dtype),
        "normalised": spec.normalize,
        "truncated_texts": report.truncated,
        "device": report.device,
        "versions": package_versions(),
    }
    if vectors.shape[1] != spec.dim:
        raise CacheError(f"encoder {spec.key!r} gave {vectors.shape[1]}-d vectors, the registry says {spec.dim}")
    validate(vectors, meta, npy)
    save_npy(npy, vectors)
    write_json(sidecar, meta)  # written last: a sidecar means the array beside it is complete
    log.info("encoded %d %s texts with %s -> %s", len(ids), role, spec.key, npy)
    return Embeddings(ids, vectors, meta, npy, from_cache=False)
