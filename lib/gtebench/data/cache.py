"""Prepared artefacts on disk: parquet tables + JSON files + a manifest, reused only when the inputs match.

A manifest records the parameters (source file checksums, prep and recipe versions, options) and the counts;
it is written last, so a folder without a matching manifest is incomplete or stale and is rebuilt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from .. import paths
from ..io import atomic_path, read_json, sha256_file, stable_hash, write_json


def checksums(files: list[Path]) -> dict[str, str]:
    """File name -> sha256 (names must be distinct within one dataset, which the official layouts guarantee)."""
    return {Path(f).name: sha256_file(f) for f in files}


def save_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame to parquet atomically, without its index."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def cached(kind: str, params: dict, build: Callable[[Path], dict]) -> tuple[Path, dict]:
    """Folder for (kind, params) and its manifest; `build(folder)` writes the files and returns the counts."""
    folder = paths.subdir("prepared", kind.replace("/", "_"), stable_hash(params))
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = read_json(manifest_path)
        if manifest.get("params") == params:
            return folder, manifest
    counts = build(folder)
    manifest = {"params": params, "counts": counts}
    write_json(manifest_path, manifest)  # last: marks the folder complete
    return folder, manifest
