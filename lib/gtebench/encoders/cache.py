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
from .chunks import CHUNK_SIZE, CacheError, chunk_order, fill_parts, validate  # noqa: F401 (re-exported)
from .engine import encode
from .precision import MEASURED_PRECISIONS, effective_precision, is_measured, measured_precision
from .registry import EncoderError, EncoderSpec, get_encoder
from .weights import weights_id

log = logging.getLogger(__name__)


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


def _safe(name: str) -> str:
    """A folder name for a model key or dataset ("hf:org/name" -> "hf_org_name")."""
    return file_name(name)


@dataclass(frozen=True)
class _Entry:
    """One cache entry: its key, where its files go, the precision it is encoded at."""
    spec: EncoderSpec
    key: dict
    folder: Path
    stem: str
    precision: str
    device: str

    @property
    def npy(self) -> Path:
        return self.folder / f"{self.stem}.npy"

    @property
    def sidecar(self) -> Path:
        return self.folder / f"{self.stem}.json"

    @property
    def parts(self) -> Path:
        return self.folder / f"{self.stem}.parts"

    def cached(self, ids: list[str]) -> Embeddings | None:
        """The finished file, when its sidecar carries this key."""
        if not (self.npy.is_file() and self.sidecar.is_file()):
            return None
        meta = read_json(self.sidecar)
        if meta.get("key") != self.key:
            return None
        vectors = np.load(self.npy, mmap_mode="r")  # memory-mapped: a large catalogue is not read until used
        validate(vectors, meta, self.npy)
        if meta["rows"] != len(ids):
            raise CacheError(f"{self.npy}: {meta['rows']} rows for {len(ids)} texts; delete it and encode again")
        return Embeddings(ids, np.asarray(vectors, dtype=np.float32), meta, self.npy, from_cache=True)


def _entry(encoder: str | EncoderSpec, texts: pd.Series, dataset: str, recipe_hash: str, role: str,
           precision: str, device: str | None, chunk_size: int) -> _Entry:
    spec = get_encoder(encoder) if isinstance(encoder, str) else encoder
    if texts.index.has_duplicates:
        dup = texts.index[texts.index.duplicated()].unique()[:5].tolist()
        raise EncoderError(f"duplicate ids in the texts to encode for {dataset!r}: {dup}")
    if chunk_size < 1:
        raise EncoderError(f"chunk_size must be positive, got {chunk_size}")
    device = resolve_device(device)
    folder = paths.subdir("embeddings", _safe(dataset), _safe(spec.key))

    def entry(resolved: str) -> _Entry:
        key = cache_key(spec, dataset, recipe_hash, role, resolved, texts)
        return _Entry(spec, key, folder, f"{role}-{stable_hash(key, 16)}", resolved, device)

    if is_measured(spec, precision, device):
        # "auto" on a CPU accepts vectors of either precision: reuse (or resume) what is cached, else time both
        started = [e for e in map(entry, MEASURED_PRECISIONS) if e.npy.is_file() or e.parts.is_dir()]
        return started[0] if started else entry(measured_precision(spec, texts.tolist(), encode_fn=encode))
    return entry(effective_precision(spec, precision, device))


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
    finished chunk; the final .npy and its sidecar appear only when every chunk is done. Chunks that shard workers
    wrote (embed_shard) are used as they are.

    Args:
        encoder: an encoder key or registry entry.
        texts: the texts, indexed by item or query id.
        dataset, recipe_hash: name the texts in the cache key.
        role: "item" or "query" (each has its own prompt).
        precision, device, batch_size: how to encode (precision "auto": the entry's dtype or the device's best).
        fit_corpus: the item texts, for corpus-fitted encoders encoding queries.
        show_progress: a progress bar per chunk; chunk_size: rows per resumable chunk.
    """
    entry = _entry(encoder, texts, dataset, recipe_hash, role, precision, device, chunk_size)
    spec, key, ids = entry.spec, entry.key, [str(i) for i in texts.index]
    if (found := entry.cached(ids)) is not None:
        return found
    chunks = chunk_order(texts, spec, chunk_size)
    done = fill_parts(entry.parts, chunks, range(len(chunks)), spec, texts, role, entry.precision, entry.device,
                      batch_size, fit_corpus, show_progress)
    vectors, truncated, empty, reports, dim = None, 0, 0, [], spec.dim
    lexical = spec.loader == "tfidf-svd"
    for rows, (chunk, part_meta) in zip(chunks, done):
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
    validate(vectors, meta, entry.npy)
    save_npy(entry.npy, vectors)
    write_json(entry.sidecar, meta)  # written last: a sidecar means the array beside it is complete
    shutil.rmtree(entry.parts, ignore_errors=True)
    log.info("encoded %d %s texts with %s -> %s", len(ids), role, spec.key, entry.npy)
    return Embeddings(ids, vectors, meta, entry.npy, from_cache=False)


def resolved_precision(encoder: str | EncoderSpec, texts: pd.Series, *, dataset: str, recipe_hash: str,
                       role: str = "item", precision: str = "auto", device: str | None = None) -> str:
    """The precision embed() would encode `texts` at (timing both on a CPU for "auto" when nothing is cached yet):
    the one precision every shard of the pool must use (embed_shard).

    Args:
        encoder, texts, dataset, recipe_hash, role, device: as embed's; precision: the one asked for.
    """
    return _entry(encoder, texts, dataset, recipe_hash, role, precision, device, CHUNK_SIZE).precision


def embed_shard(encoder: str | EncoderSpec, texts: pd.Series, *, shard: int, shards: int, dataset: str,
                recipe_hash: str, role: str = "item", precision: str, device: str | None = None,
                batch_size: int = 64, fit_corpus: pd.Series | None = None, show_progress: bool = False,
                chunk_size: int = CHUNK_SIZE) -> int:
    """Encode shard `shard` of `shards` of a pool into its cache entry: the chunks whose number is `shard` modulo
    `shards` (chunk_order's length-sorted chunks), each landing atomically in the entry's parts folder. Once every
    shard ran (on any workers, in any order, a killed one redone), embed() with the same arguments assembles the
    file from the parts, encoding only what is missing: the same bytes as one process encoding the pool (on a CPU,
    at the same thread count). Returns the number of chunks this shard covers (finished ones are kept).

    Args:
        encoder, texts, dataset, recipe_hash, role, device, batch_size, fit_corpus, chunk_size: as embed's.
        shard, shards: which part of the pool (0 <= shard < shards).
        precision: resolved ("fp32", "bf16", ...), never "auto" where "auto" would time both on this device:
            every shard must encode at the one precision the cache key names.
        show_progress: a bar per chunk.
    """
    if not 0 <= shard < shards:
        raise EncoderError(f"shard must lie in [0, shards), got shard {shard} of {shards}")
    spec = get_encoder(encoder) if isinstance(encoder, str) else encoder
    if is_measured(spec, precision, resolve_device(device)):
        raise EncoderError(f"precision {precision!r} for {spec.key!r} is timed per process on this device; give "
                           f"the shards one resolved precision ({', '.join(MEASURED_PRECISIONS)})")
    entry = _entry(spec, texts, dataset, recipe_hash, role, precision, device, chunk_size)
    if entry.cached([str(i) for i in texts.index]) is not None:
        return 0
    chunks = chunk_order(texts, spec, chunk_size)
    mine = range(shard, len(chunks), shards)
    fill_parts(entry.parts, chunks, mine, spec, texts, role, entry.precision, entry.device, batch_size,
               fit_corpus, show_progress)
    return len(mine)
