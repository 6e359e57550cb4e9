"""ESCI (Amazon Shopping Queries) for product search: US locale, small version, test split.

Sources: $GTEBENCH_ESCI_DIR (else `<shared data>/esci`) with the official `shopping_queries_dataset_examples.parquet`
and `shopping_queries_dataset_products.parquet` (github.com/amazon-science/esci-data), or the joined HF copy
`tasksource/esci` (data/test-*.parquet). The paper's pool and the per-domain breakdown also need
`asin2category.json` of McAuley-Lab/Amazon-Reviews-2023 (put it in the same folder, or it is downloaded) and
the Amazon 2023 metadata files of the categories involved (see data/amazon2023_sources.py).

Relevance: "exact" (the paper: only Exact judgments, binary; one query per (query, Exact product) pair, qid
"<query_id>:<product_id>", so a query with several Exact products appears several times, as in the authors'
test split) or "graded" (one query per query_id, gains E 1.0, S 0.1, C 0.01, I 0).
Pools: "paper" (each pair's product plus 50 random products of its Amazon 2023 category, pooled into one
catalogue; item text from the Amazon 2023 metadata, title + description). The original draws the negatives
unseeded; here an unseeded pool draws a seed, records it in the manifest and reuses it; option "seed" fixes it.
"judged": every product judged for the selected queries, item text from the ESCI product table.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from .amazon2023_sources import HF_REPO as AMAZON2023_REPO
from .amazon2023_sources import domain_name, metadata_file
from .cache import cached, checksums, save_frame
from .errors import DataError
from .files import check_columns, find_file, hub_file, iter_jsonl, local_dir, local_or_hub, open_text, read_json_file
from .types import SearchDataset, SearchSpec

LOCAL_ENV = "GTEBENCH_ESCI_DIR"
LOCAL_NAME = "esci"  # the folder in the shared data
HF_REPO = "tasksource/esci"
LABELS = {"E": "Exact", "S": "Substitute", "C": "Complement", "I": "Irrelevant"}
GAINS = {"Exact": 1.0, "Substitute": 0.1, "Complement": 0.01, "Irrelevant": 0.0}
N_NEG = 50
PREP_VERSION = 1
EXAMPLE_COLUMNS = ("query_id", "query", "product_id", "product_locale", "esci_label", "small_version")
PRODUCT_FIELDS = {"product_title": "title", "product_description": "description",
                  "product_bullet_point": "bullet_point", "product_brand": "brand", "product_color": "color"}
HOW_TO_GET = (f"Get shopping_queries_dataset_examples.parquet and _products.parquet from "
              f"https://github.com/amazon-science/esci-data and set {LOCAL_ENV} to their folder, or unset it to "
              f"download {HF_REPO} from the HF hub")


# ---------------------------------------------------------------- pure functions


def normalise_labels(labels: pd.Series, where: str) -> pd.Series:
    """One-letter codes (official parquet) or full names (HF copies) -> full names; others are an error."""
    full = labels.map(lambda v: LABELS.get(v, v))
    unknown = sorted(set(full) - set(GAINS))
    if unknown:
        raise DataError(f"{where}: unknown esci_label value(s) {unknown[:5]}; valid: {sorted(LABELS) + sorted(GAINS)}")
    return full


def select_test(examples: pd.DataFrame, where: str) -> pd.DataFrame:
    """US locale, small version, test split (when the table has a split column)."""
    check_columns(examples.columns, EXAMPLE_COLUMNS, Path(where))
    keep = (examples["product_locale"] == "us") & (pd.to_numeric(examples["small_version"]) == 1)
    if "split" in examples.columns:
        keep &= examples["split"] == "test"
    out = examples[keep].copy()
    out["esci_label"] = normalise_labels(out["esci_label"], where)
    out["query_id"] = out["query_id"].astype(str)
    return out.reset_index(drop=True)


def queries_and_qrels(examples: pd.DataFrame, relevance: str) -> tuple[pd.Series, pd.DataFrame, dict]:
    """Queries, qrels and the count of dropped queries, for 'exact' (one query per Exact pair) or 'graded'."""
    if relevance == "exact":
        exact = examples[examples["esci_label"] == "Exact"]
        qids = exact["query_id"] + ":" + exact["product_id"]
        queries = pd.Series(exact["query"].str.strip().str.replace("\t", " ").to_numpy(), index=qids.to_numpy())
        qrels = pd.DataFrame({"qid": qids.to_numpy(), "item_id": exact["product_id"].to_numpy(), "relevance": 1.0})
        without_exact = int(examples["query_id"].nunique() - exact["query_id"].nunique())
        return queries, qrels, {"queries_without_exact": without_exact}
    if relevance == "graded":
        qrels = pd.DataFrame({"qid": examples["query_id"], "item_id": examples["product_id"],
                              "relevance": examples["esci_label"].map(GAINS)})
        positive = set(qrels.loc[qrels["relevance"] > 0, "qid"])
        first = examples.drop_duplicates("query_id")
        first = first[first["query_id"].isin(positive)]
        queries = pd.Series(first["query"].str.strip().to_numpy(), index=first["query_id"].to_numpy())
        return queries, qrels[qrels["qid"].isin(positive)].reset_index(drop=True), {
            "queries_without_relevant": int(examples["query_id"].nunique() - len(positive))}
    raise DataError(f"unknown ESCI relevance {relevance!r}; valid: 'exact' (the paper's) or 'graded'")


def keep_categorised(
    qrels: pd.DataFrame, queries: pd.Series, asin2category: dict
) -> tuple[pd.Series, pd.DataFrame, int]:
    """The paper keeps pairs whose product has an Amazon 2023 category other than 'Unknown'; returns the drop count."""
    category = qrels["item_id"].map(asin2category)
    ok = category.notna() & ~category.fillna("").str.contains("Unknown")
    kept = qrels[ok].reset_index(drop=True)
    return queries[queries.index.isin(set(kept["qid"]))], kept, int((~ok).sum())


def paper_pool(targets: pd.Series, asin2category: dict, n_neg: int = N_NEG, seed: int | None = None) -> pd.DataFrame:
    """The authors' pool: per (query, target) pair the target plus `n_neg` random items of its category.

    Args:
        targets: the target item of every pair (repeats allowed: each pair draws its own negatives).
        asin2category: item id -> Amazon 2023 category (spelt with spaces), the items to draw from.
        n_neg: negatives drawn per pair (fewer when the category is smaller).
        seed: seed of the draw; None draws unseeded.

    Returns item_id, category (underscore form), pooled over all pairs.
    """
    by_category: dict[str, list[str]] = {}
    for asin, category in asin2category.items():
        by_category.setdefault(category, []).append(asin)
    rng = random.Random(seed)
    pool: dict[str, str] = {}
    for target in targets:
        category = asin2category[target]
        pool[target] = category
        candidates = by_category[category]
        for item in rng.sample(candidates, min(n_neg, len(candidates))):
            pool[item] = category
    return pd.DataFrame({"item_id": list(pool), "category": [domain_name(c) for c in pool.values()]})


# ---------------------------------------------------------------- reading


def read_examples() -> tuple[pd.DataFrame, list[Path]]:
    """US small test examples joined with product fields, from the official files or the HF copy."""
    import pyarrow.parquet as pq

    folder = local_or_hub(LOCAL_ENV, LOCAL_NAME)
    filters = [("product_locale", "=", "us"), ("small_version", "=", 1)]
    if folder is not None:
        examples_path = find_file(folder, "shopping_queries_dataset_examples", (".parquet",), HOW_TO_GET)
        products_path = find_file(folder, "shopping_queries_dataset_products", (".parquet",), HOW_TO_GET)
        examples = pq.read_table(examples_path, filters=filters).to_pandas()
        products = pq.read_table(products_path, filters=[("product_locale", "=", "us")]).to_pandas()
        check_columns(products.columns, ("product_id", "product_title"), products_path)
        examples = examples.merge(products.drop(columns=["product_locale"]), on="product_id", how="left")
        return select_test(examples, str(examples_path)), [examples_path, products_path]
    try:
        from huggingface_hub import snapshot_download

        root = Path(snapshot_download(repo_id=HF_REPO, repo_type="dataset", allow_patterns=["data/test-*.parquet"]))
    except Exception as exc:
        raise DataError(f"could not download {HF_REPO} ({type(exc).__name__}: {exc}). {HOW_TO_GET}") from exc
    files = sorted(root.glob("data/test-*.parquet"))
    frames = [pq.read_table(f, filters=filters).to_pandas() for f in files]
    return select_test(pd.concat(frames, ignore_index=True), str(root)), files


def read_asin2category() -> tuple[dict, Path]:
    """The asin -> Amazon 2023 category mapping and its path, from the local folder or the HF hub."""
    folder = local_dir(LOCAL_ENV, LOCAL_NAME)
    local = [folder / n for n in ("asin2category.json", "asin2category.json.gz")]
    path = next((p for p in local if p.is_file()), None)
    if path is None:
        path = hub_file("asin2category.json", AMAZON2023_REPO, LOCAL_ENV)
    mapping = read_json_file(path)
    if not isinstance(mapping, dict):
        raise DataError(f"{path}: expected a JSON object {{asin: category}}")
    return mapping, path


def pool_metadata(pool: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Title and description of every pool item, streamed from the Amazon 2023 metadata of its category."""
    wanted = pool.groupby("category")["item_id"].apply(set).to_dict()
    records = []
    for category, ids in wanted.items():
        for record in iter_jsonl(metadata_file(category), required=("parent_asin",)):
            if record["parent_asin"] in ids:
                records.append({"item_id": record["parent_asin"], "title": record.get("title"),
                                "description": record.get("description"), "category": category})
    records = pd.DataFrame(records, columns=["item_id", "title", "description", "category"])
    # a parent_asin repeated in a metadata file keeps its last record, as the SR loader (the authors' dict) does
    items = records.drop_duplicates("item_id", keep="last")
    return items, {"pool_items_without_metadata": int(len(pool) - len(items)),
                   "duplicate_item_rows": int(len(records) - len(items))}


# ---------------------------------------------------------------- loaders


def build(
    spec: SearchSpec, examples: pd.DataFrame, asin2category: dict | None
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, dict]:
    """Queries, qrels, the item pool and the report for the spec's relevance and pool options."""
    relevance, pool_kind = spec.options["relevance"], spec.options.get("pool", "judged")
    queries, qrels, report = queries_and_qrels(examples, relevance)
    report["examples"] = len(examples)
    if pool_kind == "paper":
        if asin2category is None:
            raise DataError("the paper's ESCI pool needs asin2category.json (Amazon Reviews 2023)")
        queries, qrels, report["pairs_without_category"] = keep_categorised(qrels, queries, asin2category)
        seed = spec.options.get("seed")
        if seed is None:  # the original is unseeded: draw one, record it (manifest/report), so it can be redone
            seed = random.SystemRandom().randrange(2**31)
        report["pool_seed"] = seed
        pool = paper_pool(qrels.loc[qrels["relevance"] > 0, "item_id"], asin2category, seed=seed)
        items, counts = pool_metadata(pool)
        report.update(counts)
        qrels = qrels[qrels["item_id"].isin(set(items["item_id"]))]
        queries = queries[queries.index.isin(set(qrels["qid"]))]
    elif pool_kind == "judged":
        products = examples.drop_duplicates("product_id")
        items = pd.DataFrame({"item_id": products["product_id"].to_numpy(),
                              **{new: products[old].to_numpy() for old, new in PRODUCT_FIELDS.items()
                                 if old in products.columns}})
        items["category"] = items["item_id"].map(
            lambda a: domain_name(asin2category.get(a, "")) if asin2category else "")
    else:
        raise DataError(f"unknown ESCI pool {pool_kind!r}; valid: 'paper', 'judged'")
    report.update({"queries": len(queries), "pool": len(items)})
    return queries, qrels.reset_index(drop=True), items.reset_index(drop=True), report


def _domains(queries: pd.Series, qrels: pd.DataFrame, items: pd.DataFrame) -> pd.Series:
    category = dict(zip(items["item_id"], items.get("category", pd.Series([""] * len(items)))))
    relevant = qrels[qrels["relevance"] > 0].sort_values("relevance", ascending=False).drop_duplicates("qid")
    domain = dict(zip(relevant["qid"], relevant["item_id"].map(lambda i: category.get(i) or "")))
    return pd.Series([domain.get(q, "") for q in queries.index], index=queries.index, dtype=str)


def load_esci(spec: SearchSpec) -> SearchDataset:
    """The ESCI search dataset, prepared once and cached with a manifest."""
    examples, files = read_examples()
    asin2category, category_path = (None, None)
    try:
        asin2category, category_path = read_asin2category()
    except DataError:
        if spec.options.get("pool") == "paper":
            raise
    sources = checksums(files + ([category_path] if category_path else []))
    params = {"key": spec.key, "options": spec.options, "sources": sources, "prep_version": PREP_VERSION}

    def write(folder: Path) -> dict:
        queries, qrels, items, report = build(spec, examples, asin2category)
        save_frame(queries.rename("query").rename_axis("qid").reset_index(), folder / "queries.parquet")
        save_frame(qrels, folder / "qrels.parquet")
        save_frame(items, folder / "items.parquet")
        return report

    folder, manifest = cached(f"search/{spec.key}", params, write)
    queries = pd.read_parquet(folder / "queries.parquet").set_index("qid")["query"]
    qrels, items = pd.read_parquet(folder / "qrels.parquet"), pd.read_parquet(folder / "items.parquet")
    return SearchDataset(spec, queries, qrels, items, _domains(queries, qrels, items), manifest["counts"], sources)


SAMPLE_ENV = "GTEBENCH_ESCI_SAMPLE_DIR"
# the same file as the shared data's, shipped as package data (Apache-2.0; attribution in its README)
BUNDLED_SAMPLE = Path(__file__).resolve().parent / "bundled"


def sample_folder() -> Path:
    """$GTEBENCH_ESCI_SAMPLE_DIR if set, else the shared data's esci_sample200/ if present, else the packaged copy."""
    folder = local_or_hub(SAMPLE_ENV, "esci_sample200")
    return folder if folder is not None else BUNDLED_SAMPLE


def load_esci_sample(spec: SearchSpec) -> SearchDataset:
    """The 200-row joined ESCI sample (official ids and columns, labels spelled out)."""
    path = find_file(sample_folder(), "esci_sample200", (".csv",),
                     f"set {SAMPLE_ENV} or GTEBENCH_SHARED_DATA to its folder")
    with open_text(path) as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    check_columns(frame.columns, EXAMPLE_COLUMNS + ("product_title",), path)
    # the sample has too few small-version rows to be useful, so all US rows are used (stated in the spec)
    frame["small_version"] = "1"
    examples = select_test(frame, str(path))
    queries, qrels, items, report = build(spec, examples, None)
    return SearchDataset(spec, queries, qrels, items, _domains(queries, qrels, items), report, checksums([path]))
