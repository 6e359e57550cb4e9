"""Where the Amazon Reviews 2023 files are: the categories, the benchmarks, a local folder or the HF hub.

A local folder ($GTEBENCH_AMAZON2023_DIR, else `<shared data>/amazon2023`) holds the files as the official site
distributes them, either flat or in the official layout (`benchmark/0core/timestamp_w_his/All_Beauty.train.csv[.gz]`,
`raw/meta_categories/meta_All_Beauty.jsonl[.gz]`; split files may also be JSON lines with the same fields). Without
one, the same files come from the Hugging Face dataset `McAuley-Lab/Amazon-Reviews-2023` (the files behind the
configs `0core_timestamp_w_his_{domain}` and `raw_meta_{domain}`). The sequential-recommendation loader
(data/amazon2023.py) reads the split and metadata files; the product-search pools read metadata files and
`asin2category.json` from the same repository.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DataError
from .files import first_existing, hub_file, local_or_hub
from .sequences import SPLITS

HF_REPO = "McAuley-Lab/Amazon-Reviews-2023"
LOCAL_ENV = "GTEBENCH_AMAZON2023_DIR"
LOCAL_NAME = "amazon2023"  # the folder in the shared data
# benchmark -> folder of its files in the official layout (HF repository and the official site)
BENCHMARKS = {
    "0core_timestamp_w_his": "benchmark/0core/timestamp_w_his",
    "5core_timestamp_w_his": "benchmark/5core/timestamp_w_his",
    "0core_last_out_w_his": "benchmark/0core/last_out_w_his",
    "5core_last_out_w_his": "benchmark/5core/last_out_w_his",
}
CATEGORIES = (
    "All_Beauty", "Amazon_Fashion", "Appliances", "Arts_Crafts_and_Sewing", "Automotive", "Baby_Products",
    "Beauty_and_Personal_Care", "Books", "CDs_and_Vinyl", "Cell_Phones_and_Accessories",
    "Clothing_Shoes_and_Jewelry", "Digital_Music", "Electronics", "Gift_Cards", "Grocery_and_Gourmet_Food",
    "Handmade_Products", "Health_and_Household", "Health_and_Personal_Care", "Home_and_Kitchen",
    "Industrial_and_Scientific", "Kindle_Store", "Magazine_Subscriptions", "Movies_and_TV", "Musical_Instruments",
    "Office_Products", "Patio_Lawn_and_Garden", "Pet_Supplies", "Software", "Sports_and_Outdoors",
    "Subscription_Boxes", "Tools_and_Home_Improvement", "Toys_and_Games", "Unknown", "Video_Games",
)


def domain_name(category: str) -> str:
    """asin2category.json spells categories with spaces; the metadata configs (and our domains) use underscores."""
    return category.replace(" ", "_")


def check_category(domain: str) -> str:
    """The category, if it is one of the Amazon Reviews 2023 categories; else a DataError."""
    if domain not in CATEGORIES:
        raise DataError(f"unknown Amazon Reviews 2023 category {domain!r}; valid categories: {list(CATEGORIES)}")
    return domain


def local_files(folder: Path, domain: str, benchmark: str) -> tuple[dict[str, Path], Path]:
    """The split files and the metadata file in `folder` (flat or official layout); errors say what is missing."""
    subdir = BENCHMARKS[benchmark]
    splits = {}
    for split in SPLITS:
        names = [f"{domain}.{split}.{ext}" for ext in ("csv", "jsonl")]
        found = first_existing(folder, [f"{subdir}/{n}" for n in names] + names)
        if found is None:
            raise DataError(
                f"Amazon Reviews 2023 {benchmark} {split} file for {domain} not found in {folder} (looked for "
                f"{subdir}/{names[0]}[.gz] and {names[0]}[.gz], also .jsonl). Download it from "
                f"https://amazon-reviews-2023.github.io/ ({subdir}/) or the HF dataset {HF_REPO}, or unset "
                f"{LOCAL_ENV} to download from the hub"
            )
        splits[split] = found
    meta_name = f"meta_{domain}.jsonl"
    meta = first_existing(folder, [f"raw/meta_categories/{meta_name}", meta_name])
    if meta is None:
        raise DataError(
            f"Amazon Reviews 2023 metadata {meta_name}[.gz] not found in {folder} (or raw/meta_categories/ in it); "
            f"download it from https://amazon-reviews-2023.github.io/ or the HF dataset {HF_REPO}"
        )
    return splits, meta


def hub_files(domain: str, benchmark: str) -> tuple[dict[str, Path], Path]:
    """Download (or reuse the HF cache of) the official files behind the configs the authors load."""
    splits = {s: hub_file(f"{BENCHMARKS[benchmark]}/{domain}.{s}.csv", HF_REPO, LOCAL_ENV) for s in SPLITS}
    return splits, hub_file(f"raw/meta_categories/meta_{domain}.jsonl", HF_REPO, LOCAL_ENV)


def source_files(domain: str, benchmark: str) -> tuple[dict[str, Path], Path]:
    """The split files (split -> path) and the metadata file of one category and benchmark."""
    check_category(domain)
    folder = local_or_hub(LOCAL_ENV, LOCAL_NAME)
    if folder is not None:
        return local_files(folder, domain, benchmark)
    return hub_files(domain, benchmark)


def metadata_file(domain: str) -> Path:
    """Only the metadata file of a category (product search pools need item text from many categories)."""
    check_category(domain)
    folder = local_or_hub(LOCAL_ENV, LOCAL_NAME)
    if folder is not None:
        name = f"meta_{domain}.jsonl"
        found = first_existing(folder, [f"raw/meta_categories/{name}", name])
        if found is None:
            raise DataError(f"Amazon Reviews 2023 metadata {name}[.gz] not found in {folder}; download it from "
                            f"https://amazon-reviews-2023.github.io/ or the HF dataset {HF_REPO}")
        return found
    return hub_file(f"raw/meta_categories/meta_{domain}.jsonl", HF_REPO, LOCAL_ENV)
