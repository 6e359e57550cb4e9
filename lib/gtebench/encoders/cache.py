"""The embedding cache: one .npy per (model, weights, dataset, text recipe, role, precision) with a JSON sidecar.

A run writes finished chunks to <stem>.parts/ first; a killed run resumes from them.

The file name carries a hash of every input that changes a vector (the texts included), so a stale vector is
never reused: change a recipe, a prompt, the precision or the weights and the key changes. Files are written
atomically (sidecar last), and validated on load.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..hardware import resolve_device
from ..io import file_name, read_json, save_npy, sha256_bytes, stable_hash, write_json
from ..results import package_versions
from .engine import encode
from .precision import MEASURED_PRECISIONS, effective_precision, is_measured, measured_precision
from .registry import EncoderError, EncoderSpec, get_encoder
from .weights import weights_id

log = logging.getLogger(__name__)


CHUNK_SIZE = 4096  # rows per saved chunk: minutes of CPU work at most, seconds on a GPU


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
    """Everything that changes a vector, hashed into the cache file's name.

    Args:
        spec: the encoder's registry entry (model, weights, pooling, prompts, ...).
        dataset: the dataset key; recipe_hash: the item-text recipe's hash.
        role: "item" or "query"; precision: the resolved precision.
        texts: the texts themselves (their ids and a checksum enter the key).
    """
    key = {
        "model": spec.key,
        "hub_id": spec.hub_id,
        "weights": weights_id(spec),
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
    # Settings added later enter the key only when set, so files cached before they existed keep their names.
    optional = {"prompt_name": spec.prompt_name(role), "own_prompts": spec.own_prompts or None,
                "model_kwargs": [list(p) for p in spec.model_kwargs],
                "config_kwargs": [list(p) for p in spec.config_kwargs],
                "prompt_pooled": (None if spec.pool_prompt or not (spec.prompt(role) or spec.prompt_name(role))
                                  else False)}
    key.update({name: value for name, value in optional.items() if value is not None and value != []})
    return key


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


def _safe(name: str) -> str:
    """A folder name for a model key or dataset ("hf:org/name" -> "hf_org_name")."""
    return file_name(name)


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


def _load_part(npy: Path, rows: int, dim: int | None) -> tuple[np.ndarray, dict] | None:
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
    chunk_size: int = CHUNK_SIZE,
) -> Embeddings:
    """Vectors for `texts` (a Series: index = item or query ids), from the cache when the key matches.

    Encoding runs in chunks of `chunk_size` rows, each saved as it finishes, so a killed run resumes from the last
    finished chunk; the final .npy and its sidecar appear only when every chunk is done.

    Args:
        encoder: an encoder key or registry entry.
        texts: the texts, indexed by item or query id.
        dataset, recipe_hash: name the texts in the cache key.
        role: "item" or "query" (each has its own prompt).
        precision, device, batch_size: how to encode (precision "auto": the entry's dtype or the device's best).
        fit_corpus: the item texts, for corpus-fitted encoders encoding queries.
        show_progress: a progress bar per chunk; chunk_size: rows per resumable chunk.
    """
    spec = get_encoder(encoder) if isinstance(encoder, str) else encoder
    if texts.index.has_duplicates:
        dup = texts.index[texts.index.duplicated()].unique()[:5].tolist()
        raise EncoderError(f"duplicate ids in the texts to encode for {dataset!r}: {dup}")
    if chunk_size < 1:
        raise EncoderError(f"chunk_size must be positive, got {chunk_size}")
    device = resolve_device(device)
    folder = paths.subdir("embeddings", _safe(dataset), _safe(spec.key))

    def files(resolved: str) -> tuple[dict, str, Path, Path]:
        key = cache_key(spec, dataset, recipe_hash, role, resolved, texts)
        stem = f"{role}-{stable_hash(key, 16)}"
        return key, stem, folder / f"{stem}.npy", folder / f"{stem}.json"

    if is_measured(spec, precision, device):
        # "auto" on a CPU accepts vectors of either precision: reuse (or resume) what is cached, else time both
        started = [p for p in MEASURED_PRECISIONS
                   if files(p)[2].is_file() or (folder / f"{files(p)[1]}.parts").is_dir()]
        resolved = started[0] if started else measured_precision(spec, texts.tolist(), encode_fn=encode)
    else:
        resolved = effective_precision(spec, precision, device)
    key, stem, npy, sidecar = files(resolved)
    ids = [str(i) for i in texts.index]
    if npy.is_file() and sidecar.is_file():
        meta = read_json(sidecar)
        if meta.get("key") == key:
            vectors = np.load(npy, mmap_mode="r")  # memory-mapped: a large catalogue is not read until used
            validate(vectors, meta, npy)
            if meta["rows"] != len(ids):
                raise CacheError(f"{npy}: {meta['rows']} rows for {len(ids)} texts; delete it and encode again")
            return Embeddings(ids, np.asarray(vectors, dtype=np.float32), meta, npy, from_cache=True)
    parts = folder / f"{stem}.parts"
    values = texts.tolist()
    corpus = None if fit_corpus is None else fit_corpus.tolist()
    vectors, truncated, empty, dim, reports = None, 0, 0, spec.dim, []
    lexical = spec.loader == "tfidf-svd"
    for number, rows in enumerate(chunk_order(texts, spec, chunk_size)):
        part = parts / f"part-{number:05d}.npy"
        done = _load_part(part, len(rows), dim)
        if done is None:
            chunk, report = encode(spec, [values[i] for i in rows], role, batch_size=batch_size,
                                   precision=resolved, device=device,
                                   fit_corpus=corpus, show_progress=show_progress)
            part_meta = {"rows": int(chunk.shape[0]), "dim": int(chunk.shape[1]), "truncated": report.truncated,
                         "empty_texts": report.empty, "device": report.device, "zero_rows_allowed": lexical}
            validate(chunk, part_meta, part)
            save_npy(part, chunk)
            write_json(part.with_suffix(".json"), part_meta)  # last: a sidecar means the chunk is complete
            done = chunk, part_meta
        chunk, part_meta = done
        if vectors is None:
            dim = part_meta["dim"]
            vectors = np.empty((len(ids), dim), dtype=np.float32)
        vectors[rows] = chunk
        truncated += part_meta["truncated"]
        empty += part_meta.get("empty_texts", 0)
        reports.append(part_meta["device"])
    if spec.dim is not None and dim != spec.dim:
        raise CacheError(f"encoder {spec.key!r} gave {dim}-d vectors, the registry says {spec.dim}")
    meta = {
        "key": key,
        "model": spec.key,
        "hub_id": spec.hub_id,
        "revision": key["weights"],
        "rows": len(ids),
        "dim": int(dim),
        "dtype": str(vectors.dtype),
        "normalised": spec.normalize,
        "ids_sha": key["ids_sha"],
        "truncated_texts": int(truncated),
        "empty_texts": int(empty),  # empty or whitespace-only texts, encoded as they are (as the authors did)
        # a text sharing no term with the fitted TF-IDF vocabulary has no lexical vector: a genuine zero row,
        # counted here; for every neural model a zero row is a failure and refused
        "zero_rows_allowed": lexical,
        "zero_rows": int((~vectors.any(axis=1)).sum()),
        "device": reports[-1],
        "versions": package_versions(),
    }
    validate(vectors, meta, npy)
    save_npy(npy, vectors)
    write_json(sidecar, meta)  # written last: a sidecar means the array beside it is complete
    shutil.rmtree(parts, ignore_errors=True)
    log.info("encoded %d %s texts with %s -> %s", len(ids), role, spec.key, npy)
    return Embeddings(ids, vectors, meta, npy, from_cache=False)
