"""ESCI from the official parquet layout: relevance kinds, the paper's pool, domains, bad labels, missing files."""

import json

import pandas as pd
import pytest

from gtebench.data import DataError
from gtebench.data.esci import paper_pool
from gtebench.data.search import prepare_search

# query 1: p1 Exact, p2 Substitute; query 2: p3 Exact, p4 Exact, p5 Irrelevant; query 3: p1 Complement only;
# one Spanish row and one large-version-only row that must be ignored
EXAMPLES = pd.DataFrame({
    "example_id": range(9),
    "query": ["desk lamp", "desk lamp", "red mug ", "red mug ", "red mug ", "lamp bulb", "lampara", "x", "desk lamp"],
    "query_id": [1, 1, 2, 2, 2, 3, 4, 5, 1],
    "product_id": ["p1", "p2", "p3", "p4", "p5", "p1", "p9", "p1", "p6"],
    "product_locale": ["us"] * 6 + ["es", "us", "us"],
    "esci_label": ["E", "S", "E", "E", "I", "C", "E", "E", "E"],
    "small_version": [1, 1, 1, 1, 1, 1, 1, 0, 1],
    "large_version": [1] * 9,
    "split": ["test"] * 8 + ["train"],
})
PRODUCTS = pd.DataFrame({
    "product_id": ["p1", "p2", "p3", "p4", "p5", "p6", "p9"],
    "product_title": ["Lamp", "Lamp 2", "Mug", "Cup", "Sock", "Shade", "Lampara"],
    "product_description": ["Bright", None, "Red", "", "Wool", "", ""],
    "product_bullet_point": [""] * 7, "product_brand": [""] * 7, "product_color": [""] * 7,
    "product_locale": ["us"] * 6 + ["es"],
})
CATEGORIES = {"p1": "Tools and Home Improvement", "p3": "Home and Kitchen", "p4": "Unknown", "n1": "Home and Kitchen",
              "n2": "Home and Kitchen", "t1": "Tools and Home Improvement"}


@pytest.fixture
def esci_dir(tmp_path, monkeypatch):
    folder = tmp_path / "esci"
    folder.mkdir()
    EXAMPLES.to_parquet(folder / "shopping_queries_dataset_examples.parquet")
    PRODUCTS.to_parquet(folder / "shopping_queries_dataset_products.parquet")
    (folder / "asin2category.json").write_text(json.dumps(CATEGORIES))
    meta = tmp_path / "amazon2023"
    meta.mkdir()
    for category, items in {"Home_and_Kitchen": ["p3", "n1", "n2"], "Tools_and_Home_Improvement": ["p1", "t1"]}.items():
        (meta / f"meta_{category}.jsonl").write_text("".join(
            json.dumps({"parent_asin": i, "title": f"T{i}", "description": [f"D{i}"]}) + "\n" for i in items))
    monkeypatch.setenv("GTEBENCH_ESCI_DIR", str(folder))
    monkeypatch.setenv("GTEBENCH_AMAZON2023_DIR", str(meta))
    return folder


def test_exact_relevance_is_one_query_per_exact_pair_over_the_judged_pool(esci_dir):
    ds = prepare_search("esci-judged")
    assert ds.queries.to_dict() == {"1:p1": "desk lamp", "2:p3": "red mug", "2:p4": "red mug"}
    assert ds.qrels.values.tolist() == [["1:p1", "p1", 1.0], ["2:p3", "p3", 1.0], ["2:p4", "p4", 1.0]]
    assert sorted(ds.items.item_id) == ["p1", "p2", "p3", "p4", "p5"]  # US, small, test rows only
    assert ds.report["queries_without_exact"] == 1  # query 3 has only a Complement
    assert ds.query_domain.to_dict() == {
        "1:p1": "Tools_and_Home_Improvement", "2:p3": "Home_and_Kitchen", "2:p4": "Unknown"}
    assert ds.item_texts()["p1"] == "Lamp. Bright. "


def test_graded_relevance_uses_the_kdd_cup_gains(esci_dir):
    ds = prepare_search("esci-graded")
    gains = ds.qrels.set_index(["qid", "item_id"]).relevance.to_dict()
    assert gains == {("1", "p1"): 1.0, ("1", "p2"): 0.1, ("2", "p3"): 1.0, ("2", "p4"): 1.0, ("2", "p5"): 0.0,
                     ("3", "p1"): 0.01}
    assert list(ds.queries.index) == ["1", "2", "3"]


def test_paper_pool_adds_same_category_negatives_and_drops_unknown_categories(esci_dir):
    ds = prepare_search("esci-seeded")
    assert list(ds.queries.index) == ["1:p1", "2:p3"]  # p4's category is 'Unknown'
    assert ds.report["pairs_without_category"] == 1 and ds.report["pool_seed"] == 2020
    assert sorted(ds.items.item_id) == ["n1", "n2", "p1", "p3", "t1"]  # tiny categories: every item is drawn
    assert ds.item_texts()["n1"] == "Tn1. Dn1. "
    assert ds.for_domain("Home_and_Kitchen").queries.index.tolist() == ["2:p3"]
    unseeded = prepare_search("esci")
    assert isinstance(unseeded.report["pool_seed"], int)  # drawn, recorded, and reused from the cache
    assert prepare_search("esci").report["pool_seed"] == unseeded.report["pool_seed"]


def test_paper_pool_metadata_repeated_ids_keep_the_last_record_and_are_counted(esci_dir, tmp_path, monkeypatch):
    # a fresh cache: the pool's cache key holds the ESCI files' checksums, not those of the metadata files
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "home"))
    meta = esci_dir.parent / "amazon2023" / "meta_Home_and_Kitchen.jsonl"
    with meta.open("a") as handle:
        handle.write(json.dumps({"parent_asin": "n1", "title": "Tn1 v2", "description": []}) + "\n")
    ds = prepare_search("esci-seeded")
    assert ds.report["duplicate_item_rows"] == 1 and ds.report["pool_items_without_metadata"] == 0
    assert ds.item_texts()["n1"] == "Tn1 v2. . " and (ds.items.item_id == "n1").sum() == 1


def test_paper_pool_is_deterministic_given_a_seed():
    mapping = {f"i{k}": "A" for k in range(200)} | {"t": "A"}
    first = paper_pool(pd.Series(["t", "t"]), mapping, n_neg=5, seed=1)
    assert first.equals(paper_pool(pd.Series(["t", "t"]), mapping, n_neg=5, seed=1))
    assert 6 <= len(first) <= 11  # the target + 5 negatives per pair, pooled
    assert not first.equals(paper_pool(pd.Series(["t", "t"]), mapping, n_neg=5, seed=2))


def test_esci_bad_label_and_missing_files(esci_dir):
    examples = EXAMPLES.assign(esci_label=["E", "Q"] + ["E"] * 7)
    examples.to_parquet(esci_dir / "shopping_queries_dataset_examples.parquet")
    with pytest.raises(DataError, match=r"unknown esci_label value\(s\) \['Q'\]"):
        prepare_search("esci-judged")
    (esci_dir / "shopping_queries_dataset_examples.parquet").unlink()
    with pytest.raises(DataError, match=r"no shopping_queries_dataset_examples.*github.com/amazon-science/esci-data"):
        prepare_search("esci-judged")
