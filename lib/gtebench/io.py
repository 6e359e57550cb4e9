"""Atomic file writes and checksums: a killed run never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

import numpy as np


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it onto `path`, on error delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp creates 0600; the result should look like any new file
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary file that replaces `path` only when the block exits without error."""
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write indented, key-sorted JSON atomically (str() for what JSON cannot hold)."""
    with atomic_open(path, "w", encoding="utf-8") as handle:
        json.dump(obj, handle, indent=2, sort_keys=True, default=str)
        handle.write("\n")


def read_json(path: str | os.PathLike) -> Any:
    """The parsed JSON of a UTF-8 file."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    """Save an array as .npy atomically, without pickling."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array, allow_pickle=False)


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of the bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def stable_hash(obj: Any, length: int = 12) -> str:
    """Short hash of a JSON-serialisable object, independent of dict order."""
    payload = json.dumps(obj, sort_keys=True, default=str, separators=(",", ":")).encode()
    return sha256_bytes(payload)[:length]


def file_name(key: str) -> str:
    """A file or folder name for a model or dataset key: characters outside [A-Za-z0-9._-] become "_"
    ("hf:org/name" -> "hf_org_name"); a key with settings ("minilm-l6?{...}", encoders.registry.encoder_key) keeps
    its model part and gains a hash of the whole key, so two settings of one model never share a name."""
    import re

    model, settings, _ = key.partition("?")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", model)
    return f"{name}-{stable_hash(key, 10)}" if settings else name
