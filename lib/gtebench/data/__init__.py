"""Datasets: a registry (plain data), loaders per source, splits, and the RecBole benchmark export.

    prepared = prepare("ml-100k")                 # interactions, items, split rows, manifest
    texts = prepared.item_texts()                 # item_id -> text, by the dataset's recipe
    data_path, name = prepared.recbole_benchmark(max_history=20, train_prefixes_per_user=20)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import paths
from ..io import read_json, sha256_file, stable_hash, write_json
from .errors import DataError
from .movielens import load_ml100k, recbole_ml100k_dir
from .recbole_export import export_benchmark
from .sequences import last_prefixes, leave_one_out_rows

__all__ = ["DATASETS", "DatasetSpec", "PreparedDataset", "DataError", "get_dataset", "prepare"]

PREP_VERSION = 1  # bump when splitting or export logic changes: invalidates every exported benchmark


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    description: str
    loader: str  # a key of LOADERS
    split: str  # "leave_one_out" (the default data) or "timestamp" (Amazon 2023, issue 4)
    text_recipe: str
    source_files: Callable[[], list[Path]] = field(default=lambda: [], repr=False)


def _ml100k_files() -> list[Path]:
    folder = recbole_ml100k_dir()
    return [folder / "ml-100k.inter", folder / "ml-100k.item"]


DATASETS: dict[str, DatasetSpec] = {
    "ml-100k": DatasetSpec(
        key="ml-100k",
        description="MovieLens-100k as bundled in the recbole wheel (943 users, 1,682 movies, 100,000 ratings)",
        loader="recbole-ml-100k",
        split="leave_one_out",
        text_recipe="movielens",
        source_files=_ml100k_files,
    ),
}

LOADERS: dict[str, Callable[[], tuple[pd.DataFrame, pd.DataFrame]]] = {
    "recbole-ml-100k": load_ml100k,
}


def get_dataset(key: str) -> DatasetSpec:
    if key not in DATASETS:
        close = difflib.get_close_matches(key, DATASETS, n=3, cutoff=0.3)
        hint = f" Did you mean {close}?" if close else ""
        raise DataError(f"unknown dataset {key!r}; known datasets: {sorted(DATASETS)}.{hint}")
    return DATASETS[key]


@dataclass
class PreparedDataset:
    spec: DatasetSpec
    interactions: pd.DataFrame
    items: pd.DataFrame
    sources: dict[str, str]  # file name -> sha256

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def recbole_name(self) -> str:
        """RecBole uses the dataset name as a file prefix, so it must be a plain token."""
        return self.key.replace("/", "_") + "_seq"  # a suffix keeps RecBole from loading its own ml-100k.yaml

    def item_texts(self, recipe: str | None = None) -> pd.Series:
        from ..text import get_recipe, item_texts

        return item_texts(self.items, get_recipe(recipe or self.spec.text_recipe))

    def split_rows(self, max_history: int) -> pd.DataFrame:
        if self.spec.split == "leave_one_out":
            return leave_one_out_rows(self.interactions, max_history=max_history)
        raise DataError(f"split {self.spec.split!r} of dataset {self.key!r} is not implemented")

    def recbole_benchmark(
        self, max_history: int, train_prefixes_per_user: int | None, max_users: int | None = None
    ) -> tuple[Path, str]:
        """Export (or reuse) RecBole benchmark files; return (data_path, dataset name) for RecBole's Config.

        Reused only when the manifest matches the sources, the parameters and PREP_VERSION.
        """
        params = {
            "dataset": self.key,
            "split": self.spec.split,
            "max_history": max_history,
            "train_prefixes_per_user": train_prefixes_per_user,
            "max_users": max_users,
            "prep_version": PREP_VERSION,
            "sources": self.sources,
        }
        data_path = paths.subdir("recbole", f"{self.recbole_name}-{stable_hash(params)}")
        folder = data_path / self.recbole_name
        manifest_path = folder / "manifest.json"
        if manifest_path.is_file() and read_json(manifest_path).get("params") == params:
            return data_path, self.recbole_name
        rows = last_prefixes(self.split_rows(max_history), train_prefixes_per_user)
        if max_users is not None:
            rows = rows[rows["user_id"].isin(sorted(rows["user_id"].unique())[:max_users])]
        counts = export_benchmark(rows, folder, self.recbole_name)
        write_json(manifest_path, {"params": params, "rows": counts})  # written last: marks the export complete
        return data_path, self.recbole_name


def prepare(key: str) -> PreparedDataset:
    spec = get_dataset(key)
    interactions, items = LOADERS[spec.loader]()
    sources = {p.name: sha256_file(p) for p in spec.source_files()}
    unknown = set(interactions["item_id"]) - set(items["item_id"])
    if unknown:
        raise DataError(
            f"dataset {key!r}: {len(unknown)} interacted item(s) have no metadata row, e.g. {sorted(unknown)[:5]}"
        )
    return PreparedDataset(spec=spec, interactions=interactions, items=items, sources=sources)
