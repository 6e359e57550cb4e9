"""Home Depot Product Search Relevance (Kaggle 2016): real customer queries against 54,667 product titles.

Source: $GTEBENCH_HOMEDEPOT_DIR (else `<shared data>/homedepot_search`) with `products.csv[.gz]`
(product_uid, product_title: the whole pool) and `train.csv[.gz]` (id, product_uid, product_title, search_term,
relevance: the mean of three human ratings, 1 irrelevant .. 3 highly relevant). See that folder's SOURCE.md.

- Pool: every product of products.csv; item text = its title (recipe "title"); a title in train.csv that differs
  from the pool's is counted, the pool's is used.
- Queries: one per distinct search_term, kept as typed (misspellings included; only surrounding whitespace and
  tabs are cleaned); qid "q<id of its first row>".
- Split: every valid query is assigned to train / validation / test (60/20/20) by a seeded permutation, before
  any relevance filter, so the graded and binary views share their test queries. The seed, the counts and a
  checksum of each split's qids are in the manifest; a dataset key serves one split (evaluation: test only).
- Relevance: "graded" gains relevance - 1 (1 = irrelevant gives 0, 3 gives 2); "binary": 1 where the mean
  rating is >= 2.67 (at least two of three raters said "highly relevant"), else 0. Judged products with gain 0
  stay in the qrels: they are judged, which condensed-list evaluation needs. qrels also keep `judged_relevance`,
  the raw mean rating.
- Bad rows are removed and counted (report / manifest), each kind with a warning naming the file and lines:
  a relevance that is not a number in [1, 3], an empty query, a product not in the pool, a repeated
  (query, product) pair (the first judgment is kept). A query left without a relevant product is removed and
  counted. A missing column, a missing file or a repeated product_uid in the pool is an error naming the file.

The judgments are shallow (~6 products per query, the ones the shop's engine showed): see
gtebench.search.metrics.shallow_metrics for the evaluation that accounts for it.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import sha256_bytes
from .cache import cached, checksums, save_frame
from .errors import DataError
from .files import check_columns, check_unique, find_file, local_dir, open_text
from .types import SearchDataset, SearchSpec

log = logging.getLogger(__name__)

LOCAL_ENV = "GTEBENCH_HOMEDEPOT_DIR"
LOCAL_NAME = "homedepot_search"  # the folder in the shared data
PREP_VERSION = 1
SPLIT_SEED = 2020
SPLITS = {"train": 0.6, "validation": 0.2, "test": 0.2}
HIGH_RELEVANCE = 2.67  # "highly relevant": the mean of (3, 3, 2); the binary view and Recall@100's target
RELEVANCES = ("graded", "binary")
PRODUCT_COLUMNS = ("product_uid", "product_title")
JUDGED_COLUMNS = ("id", "product_uid", "product_title", "search_term", "relevance")
HOW_TO_GET = (f"see ../shared/data/homedepot_search/SOURCE.md (Kaggle 'Home Depot Product Search Relevance'); "
              f"set {LOCAL_ENV} or GTEBENCH_SHARED_DATA to the folder holding products.csv.gz and train.csv.gz")
EXAMPLE_LINES = 5  # line numbers named per kind of bad row


def source_files(folder: Path | None = None) -> tuple[Path, Path]:
    """(products file, judgments file) in the Home Depot folder; a missing one is an error saying how to get it."""
    folder = folder or local_dir(LOCAL_ENV, LOCAL_NAME)
    return (find_file(folder, "products", (".csv",), HOW_TO_GET), find_file(folder, "train", (".csv",), HOW_TO_GET))


def read_csv_lines(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Every column as a string plus `line`: the file line each record starts on (quoted newlines allowed)."""
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path} is empty; expected a header with {list(required)}")
        check_columns(header, required, path)
        records, lines = [], []
        start = reader.line_num + 1
        for row in reader:
            if row:  # a blank line is no record
                if len(row) != len(header):
                    raise DataError(f"{path}, line {start}: {len(row)} fields where the header has {len(header)}; "
                                    f"fix the line's quoting")
                records.append(row)
                lines.append(start)
            start = reader.line_num + 1
    frame = pd.DataFrame(records, columns=header, dtype=str)
    frame["line"] = lines
    return frame


def _drop(frame: pd.DataFrame, bad: pd.Series, kind: str, path: Path, report: dict) -> pd.DataFrame:
    """Remove the `bad` rows, count them under `kind` and warn with the file and the first few lines."""
    report[kind] = int(bad.sum())
    if bad.any():
        lines = frame.loc[bad, "line"].head(EXAMPLE_LINES).tolist()
        log.warning("%s: %d row(s) removed (%s), e.g. line(s) %s", path, int(bad.sum()), kind.replace("_", " "), lines)
    return frame[~bad]


def clean_judgments(judged: pd.DataFrame, pool_titles: dict[str, str], path: Path) -> tuple[pd.DataFrame, dict]:
    """The usable judgment rows (query, product_uid, relevance as float) and the count of each kind removed."""
    report: dict = {"judged_rows": len(judged)}
    relevance = pd.to_numeric(judged["relevance"].str.strip(), errors="coerce")
    bad = ~relevance.between(1.0, 3.0)  # NaN (not a number) and values off the 1..3 scale
    judged = judged.assign(relevance=relevance, query=judged["search_term"].str.replace("\t", " ").str.strip())
    judged = _drop(judged, bad, "rows_with_unparseable_relevance", path, report)
    judged = _drop(judged, judged["query"] == "", "rows_with_empty_query", path, report)
    judged = _drop(judged, ~judged["product_uid"].isin(pool_titles), "rows_with_product_not_in_pool", path, report)
    judged = _drop(judged, judged.duplicated(["query", "product_uid"]), "duplicate_pairs", path, report)
    differs = judged["product_title"] != judged["product_uid"].map(pool_titles)
    report["rows_whose_title_differs_from_pool"] = int(differs.sum())  # kept: the pool's title is the item text
    return judged.reset_index(drop=True), report


def split_queries(qids: list[str], seed: int = SPLIT_SEED) -> dict[str, str]:
    """qid -> "train" / "validation" / "test" (SPLITS' shares, rounded) by a seeded permutation of `qids`."""
    order = np.random.default_rng(seed).permutation(len(qids))
    n_train, n_valid = round(SPLITS["train"] * len(qids)), round(SPLITS["validation"] * len(qids))
    names = np.array(["test"] * len(qids), dtype=object)
    names[order[:n_train]] = "train"
    names[order[n_train:n_train + n_valid]] = "validation"
    return dict(zip(qids, names.tolist()))


def gains(relevance: pd.Series, kind: str) -> pd.Series:
    """Graded gains (mean rating - 1) or binary (1 where the mean rating reaches HIGH_RELEVANCE)."""
    if kind == "graded":
        return relevance - 1.0
    if kind == "binary":
        return (relevance >= HIGH_RELEVANCE - 1e-9).astype(float)
    raise DataError(f"unknown Home Depot relevance {kind!r}; valid: {list(RELEVANCES)}")


def build(products: pd.DataFrame, judged: pd.DataFrame, paths: tuple[Path, Path]) -> tuple[pd.DataFrame, ...]:
    """(items, queries with their split, judgments with the raw rating) and the report of everything removed."""
    check_unique(products["product_uid"], "product_uid", paths[0])
    items = pd.DataFrame({"item_id": products["product_uid"].to_numpy(),
                          "title": products["product_title"].str.strip().to_numpy()})
    judged, report = clean_judgments(judged, dict(zip(items["item_id"], items["title"])), paths[1])
    report["products_with_empty_title"] = int((items["title"] == "").sum())
    first = judged.drop_duplicates("query")
    qid_of = dict(zip(first["query"], "q" + first["id"].str.strip()))
    if len(set(qid_of.values())) != len(qid_of):
        raise DataError(f"{paths[1]}: the id column repeats across queries; each row needs its own id")
    split = split_queries(list(qid_of.values()))
    queries = pd.DataFrame({"qid": list(qid_of.values()), "query": list(qid_of)})
    queries["split"] = queries["qid"].map(split)
    qrels = pd.DataFrame({"qid": judged["query"].map(qid_of), "item_id": judged["product_uid"].to_numpy(),
                          "judged_relevance": judged["relevance"].to_numpy()})
    report.update({"pool": len(items), "queries_all_splits": len(queries), "split_seed": SPLIT_SEED,
                   "split_shares": SPLITS})
    for name in SPLITS:
        qids = sorted(queries.loc[queries["split"] == name, "qid"])
        report[f"{name}_queries"] = len(qids)
        report[f"{name}_qids_sha256"] = sha256_bytes("\n".join(qids).encode())[:16]
    return items, queries, qrels, report


def select(spec: SearchSpec, queries: pd.DataFrame, qrels: pd.DataFrame, report: dict) -> tuple:
    """The spec's split and relevance view: its queries, qrels (gains) and the counts of queries removed.

    Args:
        spec: its options name the split and relevance; queries: every query with its split; qrels: every
            judgment (judged_relevance); report: the prepared counts, extended with the view's.
    """
    split, kind = spec.options.get("split", "test"), spec.options.get("relevance", "graded")
    if split not in SPLITS:
        raise DataError(f"{spec.key}: unknown split {split!r}; valid: {list(SPLITS)}")
    part = queries[queries["split"] == split]
    qrels = qrels[qrels["qid"].isin(set(part["qid"]))].assign(relevance=lambda f: gains(f["judged_relevance"], kind))
    positive = set(qrels.loc[qrels["relevance"] > 0, "qid"])
    kept = part[part["qid"].isin(positive)]
    counts = {**report, "split": split, "relevance": kind, "queries_without_relevant": int(len(part) - len(kept)),
              "queries": len(kept), "judgments": int(qrels["qid"].isin(positive).sum())}
    qrels = qrels[qrels["qid"].isin(positive)][["qid", "item_id", "relevance", "judged_relevance"]]
    return pd.Series(kept["query"].to_numpy(), index=kept["qid"].to_numpy()), qrels.reset_index(drop=True), counts


def load_homedepot(spec: SearchSpec) -> SearchDataset:
    """One split and relevance view of Home Depot; the parsed tables and the split are cached with a manifest."""
    files = source_files()
    sources = checksums(list(files))
    params = {"loader": "homedepot", "sources": sources, "prep_version": PREP_VERSION, "split_seed": SPLIT_SEED,
              "splits": SPLITS}

    def write(folder: Path) -> dict:
        products, judged = read_csv_lines(files[0], PRODUCT_COLUMNS), read_csv_lines(files[1], JUDGED_COLUMNS)
        items, queries, qrels, report = build(products, judged, files)
        save_frame(items, folder / "items.parquet")
        save_frame(queries, folder / "queries.parquet")  # every split: the fine-tuning issue reads train
        save_frame(qrels, folder / "judgments.parquet")
        return report

    folder, manifest = cached("search/homedepot", params, write)
    queries, qrels, report = select(spec, pd.read_parquet(folder / "queries.parquet"),
                                    pd.read_parquet(folder / "judgments.parquet"), manifest["counts"])
    items = pd.read_parquet(folder / "items.parquet")
    domain = pd.Series("", index=queries.index, dtype=str)  # Home Depot has no product categories here
    return SearchDataset(spec, queries, qrels, items, domain, report, sources)
