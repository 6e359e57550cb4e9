"""Amazon-C4 (BLaIR): ChatGPT-rewritten review queries against the 1,058,417-item sampled pool.

Sources: $GTEBENCH_AMAZON_C4_DIR (else `<shared data>/amazon_c4`) with `test.csv[.gz]` (qid, query, item_id,
user_id, ori_rating, ori_review) and `sampled_item_metadata_1M.jsonl[.gz]` ({item_id, category, metadata}), or
the same two files from the HF dataset `McAuley-Lab/Amazon-C4`. One relevant item per query (binary); the item
text is the pool's `metadata` field as provided (recipe "c4-metadata"). The pool is streamed once into parquet
(cached with a manifest), so preparing it never holds the JSON text and the table at the same time.

Domains (per-domain results, the paper's Office_Products / Sports_and_Outdoors columns): the authors group the
queries by their target item's category in `asin2category.json` of McAuley-Lab/Amazon-Reviews-2023 (asin ->
category, 1.25 GB; eval_search.py --domain). Put that file (or .json.gz) in the folder of the C4 files to get
exactly their grouping; it is streamed for the targets only and cached. Without it the domains come from the
pool's own `category` field, whose labels are short words ('Office', 'Sports', 'Care', ...), mapped to the
Amazon 2023 names by POOL_LABELS. Either way, a domain that is not an Amazon 2023 category name stays as it
is and is counted (report: queries_unmapped_domain, unmapped_domains), and queries without one are counted
(queries_without_domain); report["domain_source"] says which source was used.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pandas as pd

from ..io import atomic_path
from .amazon2023_sources import CATEGORIES, domain_name
from .amazon2023_sources import HF_REPO as AMAZON2023_REPO
from .cache import cached, checksums, save_frame
from .errors import DataError
from .files import (
    check_columns,
    find_file,
    first_existing,
    hub_file,
    iter_jsonl,
    local_or_hub,
    open_text,
    read_string_map,
)
from .types import SearchDataset, SearchSpec

log = logging.getLogger(__name__)

LOCAL_ENV = "GTEBENCH_AMAZON_C4_DIR"
LOCAL_NAME = "amazon_c4"  # the folder in the shared data
HF_REPO = "McAuley-Lab/Amazon-C4"
POOL_STEM = "sampled_item_metadata_1M"
CATEGORY_FILE = "asin2category.json"  # from the HF dataset McAuley-Lab/Amazon-Reviews-2023 (its root)
PREP_VERSION = 2  # 2: target categories from asin2category.json cached beside the pool
BATCH = 100_000

# The pool's short `category` labels -> Amazon 2023 category names, used only without asin2category.json.
# Labels seen in public copies of the pool (none is in the shared data): 'Care' and 'Pet' (the dataset card's
# examples), 'Baby', 'Games', 'Office', 'Sports', 'Home', 'Clothing', 'Tools' (third-party evaluation scripts).
# An entry is kept only where the label is a word of exactly one Amazon 2023 category name (a test checks it).
# Left out as ambiguous, so they stay as they are and are counted: 'Care' (Beauty_and_Personal_Care or
# Health_and_Personal_Care), 'Games' (Toys_and_Games or Video_Games), 'Home' (Home_and_Kitchen or
# Tools_and_Home_Improvement). A label that already is a category name (e.g. 'Electronics') needs no entry.
POOL_LABELS = {
    "Baby": "Baby_Products",
    "Clothing": "Clothing_Shoes_and_Jewelry",
    "Office": "Office_Products",
    "Pet": "Pet_Supplies",
    "Sports": "Sports_and_Outdoors",
    "Tools": "Tools_and_Home_Improvement",
}


def source_files() -> tuple[Path, Path, Path | None]:
    """The test queries, the pool metadata file and asin2category.json (None when the folder has none)."""
    folder = local_or_hub(LOCAL_ENV, LOCAL_NAME)
    if folder is not None:
        how = f"download them from the HF dataset {HF_REPO} and set {LOCAL_ENV} to their folder"
        return (find_file(folder, "test", (".csv",), how), find_file(folder, POOL_STEM, (".jsonl",), how),
                first_existing(folder, [CATEGORY_FILE]))
    # from the hub, no 1.25 GB download behind the user's back: the pool's labels give the domains
    return hub_file("test.csv", HF_REPO, LOCAL_ENV), hub_file(f"{POOL_STEM}.jsonl", HF_REPO, LOCAL_ENV), None


def write_pool(jsonl: Path, out: Path) -> dict:
    """Stream the pool JSON lines into a parquet file in batches; duplicate ids are an error.

    (BLaIR's evaluation asserts the pool's ids are unique, so a duplicate means a different file.)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("item_id", pa.string()), ("category", pa.string()), ("metadata", pa.string())])
    seen: set[str] = set()
    empty = 0
    with atomic_path(out) as tmp:
        writer = pq.ParquetWriter(tmp, schema)
        batch: dict[str, list] = {"item_id": [], "category": [], "metadata": []}

        def flush():
            writer.write_table(pa.table(batch, schema=schema))
            for column in batch.values():
                column.clear()

        for number, record in enumerate(iter_jsonl(jsonl, required=("item_id", "metadata")), start=1):
            item = str(record["item_id"])
            if item in seen:
                raise DataError(f"{jsonl}, record {number}: duplicate item_id {item!r}; each item must appear once")
            seen.add(item)
            text = record["metadata"] or ""
            empty += not text.strip()
            batch["item_id"].append(item)
            batch["category"].append(str(record.get("category") or ""))
            batch["metadata"].append(text)
            if len(batch["item_id"]) >= BATCH:
                flush()
        flush()
        writer.close()
    return {"pool": len(seen), "pool_items_with_empty_text": empty}


def pool_label_domain(label: str) -> str:
    """The Amazon 2023 name of a pool label (POOL_LABELS), else the label itself (spaces as underscores)."""
    label = label.strip()
    return POOL_LABELS.get(label, domain_name(label))


def domain_report(domains: list[str], source: str) -> dict:
    """Counts of the queries without a domain and of those whose domain is not an Amazon 2023 category name."""
    unmapped = Counter(d for d in domains if d and d not in CATEGORIES)
    report = {"domain_source": source, "queries_without_domain": sum(not d for d in domains),
              "queries_unmapped_domain": sum(unmapped.values()), "unmapped_domains": dict(sorted(unmapped.items()))}
    if report["queries_without_domain"] or unmapped:
        log.warning("amazon-c4: %d queries without a domain and %d whose domain is no Amazon 2023 category name %s "
                    "(domains from %s); the authors' grouping needs %s from the HF dataset %s in the folder of "
                    "the C4 files ($%s)", report["queries_without_domain"], report["queries_unmapped_domain"],
                    report["unmapped_domains"], source, CATEGORY_FILE, AMAZON2023_REPO, LOCAL_ENV)
    return report


def load_amazon_c4(spec: SearchSpec) -> SearchDataset:
    """Amazon-C4 test queries whose target is in the pool, with binary qrels and per-query domains."""
    test_path, pool_path, category_path = source_files()
    sources = checksums([test_path, pool_path] + ([category_path] if category_path else []))
    params = {"key": spec.key, "sources": sources, "prep_version": PREP_VERSION}
    with open_text(test_path) as handle:
        test = pd.read_csv(handle, dtype=str, keep_default_na=False)
    check_columns(test.columns, ("qid", "query", "item_id"), test_path)

    def build(folder: Path) -> dict:
        counts = write_pool(pool_path, folder / "items.parquet")
        if category_path is not None:  # only the targets' entries: the whole map would need several GB
            found = read_string_map(category_path, set(test["item_id"]))
            save_frame(pd.DataFrame({"item_id": list(found), "category": list(found.values())}),
                       folder / "target_categories.parquet")
        return counts

    folder, manifest = cached("search/amazon-c4", params, build)
    items = pd.read_parquet(folder / "items.parquet")
    in_pool = test["item_id"].isin(set(items["item_id"]))
    report = {**manifest["counts"], "queries_target_not_in_pool": int((~in_pool).sum())}
    test = test[in_pool]
    queries = pd.Series(test["query"].to_numpy(), index=test["qid"].to_numpy())
    qrels = pd.DataFrame({"qid": test["qid"].to_numpy(), "item_id": test["item_id"].to_numpy(), "relevance": 1.0})
    if category_path is not None:
        table = pd.read_parquet(folder / "target_categories.parquet")
        category = dict(zip(table["item_id"], table["category"]))
        domains = [domain_name(category.get(i, "")) for i in test["item_id"]]
        source = f"{CATEGORY_FILE} ({AMAZON2023_REPO})"
    else:
        label = dict(zip(items["item_id"], items["category"]))
        domains = [pool_label_domain(label[i]) for i in test["item_id"]]
        source = f"the pool's category labels (no {CATEGORY_FILE} beside the C4 files)"
    report.update(domain_report(domains, source), queries=len(queries))
    domain = pd.Series(domains, index=queries.index, dtype=str)
    return SearchDataset(spec, queries, qrels, items, domain, report, sources)
