"""Amazon-C4 (BLaIR): ChatGPT-rewritten review queries against the 1,058,417-item sampled pool.

Sources: $GTEBENCH_AMAZON_C4_DIR (else `<shared data>/amazon_c4`) with `test.csv[.gz]` (qid, query, item_id,
user_id, ori_rating, ori_review) and `sampled_item_metadata_1M.jsonl[.gz]` ({item_id, category, metadata}), or
the same two files from the HF dataset `McAuley-Lab/Amazon-C4`. One relevant item per query (binary); the item
text is the pool's `metadata` field as provided (recipe "c4-metadata"); per-domain results group queries by
their target's pool category. The pool is streamed once into parquet (cached with a manifest), so preparing it
never holds the JSON text and the table at the same time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..io import atomic_path
from .cache import cached, checksums
from .errors import DataError
from .files import check_columns, find_file, hub_file, iter_jsonl, local_or_hub, open_text
from .types import SearchDataset, SearchSpec

LOCAL_ENV = "GTEBENCH_AMAZON_C4_DIR"
LOCAL_NAME = "amazon_c4"  # the folder in the shared data
HF_REPO = "McAuley-Lab/Amazon-C4"
POOL_STEM = "sampled_item_metadata_1M"
PREP_VERSION = 1
BATCH = 100_000


def source_files() -> tuple[Path, Path]:
    """The test queries and the pool metadata file, from the local folder or the HF hub."""
    folder = local_or_hub(LOCAL_ENV, LOCAL_NAME)
    if folder is not None:
        how = f"download them from the HF dataset {HF_REPO} and set {LOCAL_ENV} to their folder"
        return find_file(folder, "test", (".csv",), how), find_file(folder, POOL_STEM, (".jsonl",), how)
    return hub_file("test.csv", HF_REPO, LOCAL_ENV), hub_file(f"{POOL_STEM}.jsonl", HF_REPO, LOCAL_ENV)


def write_pool(jsonl: Path, out: Path) -> dict:
    """Stream the pool JSON lines into a parquet file in batches; duplicate ids are an error."""
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


def load_amazon_c4(spec: SearchSpec) -> SearchDataset:
    """Amazon-C4 test queries whose target is in the pool, with binary qrels and per-query domains."""
    test_path, pool_path = source_files()
    sources = checksums([test_path, pool_path])
    params = {"key": spec.key, "sources": sources, "prep_version": PREP_VERSION}
    folder, manifest = cached("search/amazon-c4", params, lambda f: write_pool(pool_path, f / "items.parquet"))
    items = pd.read_parquet(folder / "items.parquet")
    with open_text(test_path) as handle:
        test = pd.read_csv(handle, dtype=str, keep_default_na=False)
    check_columns(test.columns, ("qid", "query", "item_id"), test_path)
    in_pool = test["item_id"].isin(set(items["item_id"]))
    report = {**manifest["counts"], "queries_target_not_in_pool": int((~in_pool).sum())}
    test = test[in_pool]
    queries = pd.Series(test["query"].to_numpy(), index=test["qid"].to_numpy())
    qrels = pd.DataFrame({"qid": test["qid"].to_numpy(), "item_id": test["item_id"].to_numpy(), "relevance": 1.0})
    category = dict(zip(items["item_id"], items["category"]))
    domain = pd.Series([category[i].replace(" ", "_") for i in test["item_id"]], index=queries.index, dtype=str)
    report["queries"] = len(queries)
    return SearchDataset(spec, queries, qrels, items, domain, report, sources)
