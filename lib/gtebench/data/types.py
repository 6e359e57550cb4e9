"""The types of the data layer: dataset specs, what loaders return, prepared datasets and search datasets.

Loaders import these; the registries (data/registry.py, data/search.py) import the loaders. Nothing here imports
a loader or a registry.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import paths
from ..io import read_json, stable_hash, write_json
from .errors import DataError
from .recbole_export import export_benchmark
from .sequences import last_prefixes, leave_one_out_rows

PREP_VERSION = 2  # bump when splitting or export logic changes: invalidates every exported benchmark
SPLIT_KINDS = ("leave_one_out", "given")


# ---------------------------------------------------------------- sequential recommendation


class SourceTerms:
    """The licence of a spec's data source, looked up by its loader (DATA_LICENCES); for DatasetSpec and SearchSpec."""

    loader: str

    @property
    def licence(self) -> str:
        return DATA_LICENCES.get(self.loader, "unknown")


@dataclass(frozen=True)
class DatasetSpec(SourceTerms):
    key: str
    description: str
    loader: str  # a key of data.registry.LOADERS
    split: str  # "leave_one_out" (split from interactions) or "given" (the source's own split, e.g. timestamp)
    text_recipe: str
    source_files: Callable[[], list[Path]] = field(default=lambda: [], repr=False)
    options: dict = field(default_factory=dict, compare=False)  # loader arguments (category, variant, folder)


# The terms each source is published under, by loader (what its page or SOURCE.md states; "no licence stated" where
# the publisher gives none). Results computed here may be shared; the data itself only as its terms allow.
DATA_LICENCES = {
    "recbole-ml-100k": "GroupLens: research use, no redistribution without permission",
    "ml-latest-small": "GroupLens usage licence (research use; its README.txt)",
    "amazon2018-scientific": "Amazon Reviews 2018 (Ni et al.): research use, no licence stated",
    "amazon2018-samples": "Amazon Reviews 2018 (Ni et al.): research use, no licence stated",
    "amazon2023": "Amazon Reviews 2023 (Hou et al.): research use, no licence stated",
    "steam": "UCSD Steam (Kang & McAuley): research use, no licence stated",
    "custom": "the user's own",
    "esci": "Apache-2.0 (amazon-science/esci-data)",
    "esci-sample": "Apache-2.0 (amazon-science/esci-data; packaged sample)",
    "amazon-c4": "Amazon-C4 (hyp1231/Amazon-C4), built from Amazon Reviews 2023: research use",
    "homedepot": "Kaggle Home Depot competition data: non-commercial, no redistribution",
}


@dataclass
class Loaded:
    """What a loader returns: items always; interactions (leave-one-out) or rows (given split)."""

    items: pd.DataFrame
    interactions: pd.DataFrame | None = None
    rows: pd.DataFrame | None = None  # user_id, item_id, history (space-joined ids), split, position
    report: dict = field(default_factory=dict)  # counts of everything removed or repaired, never silent
    files: list[Path] = field(default_factory=list)
    folder: Path | None = None  # prepared artefacts (parquet, data_maps.json, manifest.json), when cached
    sources: dict[str, str] | None = None  # file name -> sha256, when the loader already computed them


@dataclass
class PreparedDataset:
    spec: DatasetSpec
    interactions: pd.DataFrame | None
    items: pd.DataFrame
    sources: dict[str, str]  # file name -> sha256
    rows: pd.DataFrame | None = None  # the source's split rows (split "given"); history space-joined
    report: dict = field(default_factory=dict)  # removals and repairs, counted (also in the manifests)
    folder: Path | None = None  # prepared artefacts, for datasets that cache them

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
        """(user_id, history list, item_id, split, position) rows; a given split returns the source's rows."""
        rows = self._rows(max_history)
        if self.spec.split == "given":
            rows = rows.assign(history=rows["history"].str.split(" "))
        return rows

    def _rows(self, max_history: int) -> pd.DataFrame:
        """As split_rows, but a given split keeps histories as space-joined strings (compact for millions)."""
        if max_history < 1:
            raise DataError(f"max_history must be >= 1, got {max_history}")
        if self.spec.split == "leave_one_out":
            return leave_one_out_rows(self.interactions, max_history=max_history)
        if self.spec.split == "given":
            rows = self.rows[["user_id", "history", "item_id", "split", "position"]]
            too_long = rows["history"].str.count(" ") >= max_history
            if too_long.any():
                rows = rows.copy()
                rows.loc[too_long, "history"] = [
                    " ".join(h.split(" ")[-max_history:]) for h in rows.loc[too_long, "history"]
                ]
            return rows
        raise DataError(f"split {self.spec.split!r} of dataset {self.key!r} is unknown; known: {SPLIT_KINDS}")

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
        rows = last_prefixes(self._rows(max_history), train_prefixes_per_user)
        if max_users is not None:
            rows = rows[rows["user_id"].isin(sorted(rows["user_id"].unique())[:max_users])]
        counts = export_benchmark(rows, folder, self.recbole_name)
        if self.folder is not None and (self.folder / "data_maps.json").is_file():  # provenance of the id maps
            shutil.copyfile(self.folder / "data_maps.json", folder / f"{self.recbole_name}.data_maps")
        from ..text import get_recipe

        recipe = get_recipe(self.spec.text_recipe)
        text_recipe = {"name": recipe.name, "version": recipe.version, "hash": recipe.hash}
        manifest = {"params": params, "rows": counts, "report": self.report, "text_recipe": text_recipe}
        write_json(manifest_path, manifest)  # written last: marks the export complete
        return data_path, self.recbole_name


# ---------------------------------------------------------------- product search


@dataclass(frozen=True)
class SearchSpec(SourceTerms):
    key: str
    description: str
    loader: str  # a key of data.search.SEARCH_LOADERS
    text_recipe: str
    options: dict = field(default_factory=dict, compare=False)


@dataclass
class SearchDataset:
    spec: SearchSpec
    queries: pd.Series
    qrels: pd.DataFrame
    items: pd.DataFrame
    query_domain: pd.Series
    report: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # file name -> sha256

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def text_recipe(self) -> str:
        return self.spec.text_recipe

    def item_texts(self, recipe: str | None = None) -> pd.Series:
        from ..text import get_recipe, item_texts

        return item_texts(self.items, get_recipe(recipe or self.spec.text_recipe))

    def domains(self) -> list[str]:
        return sorted(d for d in self.query_domain.unique() if d)

    def for_domain(self, domain: str) -> SearchDataset:
        if domain not in self.domains():
            raise DataError(f"{self.key}: no queries in domain {domain!r}; domains: {self.domains()}")
        qids = self.query_domain.index[self.query_domain == domain]
        return replace(self, queries=self.queries.loc[qids], qrels=self.qrels[self.qrels["qid"].isin(qids)],
                       query_domain=self.query_domain.loc[qids])
