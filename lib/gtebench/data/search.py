"""Product-search datasets: a small interface of their own, and their registry.

    ds = prepare_search("esci")            # or "esci-graded", "esci-judged", "esci-sample200", "amazon-c4",
                                           # "homedepot" (graded), "homedepot-binary", "custom:/path/to/folder"
    ds.queries        # pd.Series: qid (str) -> query text
    ds.qrels          # pd.DataFrame[qid, item_id, relevance]: relevance > 0 is relevant (1.0 binary; grades allowed)
    ds.items          # pd.DataFrame: the candidate pool, item_id + metadata fields (+ category)
    ds.item_texts()   # pd.Series: item_id -> text, by ds.text_recipe (or another recipe name)
    ds.query_domain   # pd.Series: qid -> category of its relevant item ("" when unknown), for per-domain results
    ds.for_domain("Office_Products")  # the same pool, only the queries of that domain
    ds.report         # counts of everything filtered or dropped, never silent

Every query has at least one relevant item in the pool and every qrel's item is in the pool; prepare_search
checks both. Retrieval is over the whole pool, as in the paper: every query is ranked against every pool item,
not against a per-query candidate list. The types (SearchSpec, SearchDataset) live in data/types.py and are
importable from here.
"""

from __future__ import annotations

from typing import Callable

from ..hints import did_you_mean
from .amazon_c4 import load_amazon_c4
from .custom import custom_search_spec, load_custom_search
from .errors import DataError
from .esci import load_esci, load_esci_sample
from .homedepot import HIGH_RELEVANCE, load_homedepot
from .types import SearchDataset, SearchSpec

__all__ = ["SEARCH_DATASETS", "SEARCH_LOADERS", "SearchDataset", "SearchSpec", "check_search", "get_search_dataset",
           "prepare_search"]


def check_search(ds: SearchDataset) -> SearchDataset:
    """The invariants every search dataset keeps (each broken one names the offending ids)."""
    if ds.items["item_id"].duplicated().any():
        dup = ds.items.loc[ds.items["item_id"].duplicated(), "item_id"].unique()[:5].tolist()
        raise DataError(f"{ds.key}: duplicate item ids in the pool, e.g. {dup}")
    if ds.queries.index.duplicated().any():
        dup = ds.queries.index[ds.queries.index.duplicated()][:5].tolist()
        raise DataError(f"{ds.key}: duplicate query ids, e.g. {dup}")
    outside = set(ds.qrels["item_id"]) - set(ds.items["item_id"])
    if outside:
        raise DataError(f"{ds.key}: {len(outside)} judged item(s) are not in the pool, e.g. {sorted(outside)[:5]}")
    relevant = set(ds.qrels.loc[ds.qrels["relevance"] > 0, "qid"])
    without = [q for q in ds.queries.index if q not in relevant]
    if without:
        raise DataError(f"{ds.key}: {len(without)} query(ies) have no relevant item, e.g. {without[:5]}")
    empty = ds.queries.index[ds.queries.str.strip() == ""]
    if len(empty):
        raise DataError(f"{ds.key}: {len(empty)} empty query text(s), e.g. qid {empty[:5].tolist()}")
    return ds


# scored also on condensed lists and by Recall@100 of the products rated >= high_relevance (search.metrics)
SHALLOW = {"shallow_judgments": True, "high_relevance": HIGH_RELEVANCE}

SEARCH_DATASETS: dict[str, SearchSpec] = {
    "esci": SearchSpec("esci", "ESCI small, US, test: Exact-only binary relevance, the paper's pooled catalogue "
                       "(target + 50 same-category items per pair; unseeded as the original, seed recorded)",
                       "esci", "amazon-ps", {"relevance": "exact", "pool": "paper"}),
    "esci-seeded": SearchSpec("esci-seeded", "as esci, with the pool's negatives drawn with seed 2020",
                              "esci", "amazon-ps", {"relevance": "exact", "pool": "paper", "seed": 2020}),
    "esci-graded": SearchSpec("esci-graded", "ESCI small, US, test: graded relevance (E 1, S 0.1, C 0.01, I 0) over "
                              "all judged products of each query", "esci", "amazon-ps",
                              {"relevance": "graded", "pool": "judged"}),
    "esci-judged": SearchSpec("esci-judged", "ESCI small, US, test: Exact-only binary relevance, pool = all judged "
                              "products", "esci", "amazon-ps", {"relevance": "exact", "pool": "judged"}),
    "esci-sample200": SearchSpec("esci-sample200", "the 200-row ESCI sample (packaged): Exact binary relevance, "
                                 "pool = its 200 products (a smoke test, not a benchmark)", "esci-sample",
                                 "amazon-ps", {"relevance": "exact"}),
    "esci-sample200-graded": SearchSpec("esci-sample200-graded", "the 200-row ESCI sample, graded relevance",
                                        "esci-sample", "amazon-ps", {"relevance": "graded"}),
    "amazon-c4": SearchSpec("amazon-c4", "Amazon-C4 test queries against the 1,058,417-item pool (BLaIR)",
                            "amazon-c4", "c4-metadata"),
    # Home Depot (Kaggle 2016): real queries, the whole 54,667-title catalogue as the pool, shallow human
    # judgments (~6 per query); a seeded 60/20/20 query split, evaluated on test (data/homedepot.py)
    "homedepot": SearchSpec("homedepot", "Home Depot product search, test queries: graded gains (mean rating - 1) "
                            "over all 54,667 product titles; shallow judgments", "homedepot", "title",
                            {"relevance": "graded", "split": "test", **SHALLOW}),
    "homedepot-binary": SearchSpec("homedepot-binary", "Home Depot, test queries: binary relevance (mean rating >= "
                                   "2.67) over all product titles", "homedepot", "title",
                                   {"relevance": "binary", "split": "test", **SHALLOW}),
    "homedepot-validation": SearchSpec("homedepot-validation", "Home Depot, validation queries (graded), for model "
                                       "selection", "homedepot", "title",
                                       {"relevance": "graded", "split": "validation", **SHALLOW}),
    "homedepot-train": SearchSpec("homedepot-train", "Home Depot, training queries (graded), for fine-tuning; "
                                  "never for reported numbers", "homedepot", "title",
                                  {"relevance": "graded", "split": "train", **SHALLOW}),
}

SEARCH_LOADERS: dict[str, Callable[[SearchSpec], SearchDataset]] = {
    "esci": load_esci, "esci-sample": load_esci_sample, "amazon-c4": load_amazon_c4, "custom": load_custom_search,
    "homedepot": load_homedepot,
}


def get_search_dataset(key: str) -> SearchSpec:
    """The spec of a search dataset key (`custom:<folder>` builds one); an unknown key lists the valid ones."""
    if key.startswith("custom:"):
        return custom_search_spec(key)
    if key not in SEARCH_DATASETS:
        hint = did_you_mean(key, SEARCH_DATASETS)
        raise DataError(f"unknown search dataset {key!r}; known: {sorted(SEARCH_DATASETS)} and custom:<folder>.{hint}")
    return SEARCH_DATASETS[key]


def prepare_search(key: str) -> SearchDataset:
    """Load a search dataset by key and check its invariants (check_search)."""
    spec = get_search_dataset(key)
    return check_search(SEARCH_LOADERS[spec.loader](spec))
