"""Product-search datasets: ESCI (official parquet layout), Amazon-C4, the ESCI sample and custom folders."""

import gzip
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
    assert ds.query_domain.to_dict() == {"1:p1": "Tools_and_Home_Improvement", "2:p3": "Home_and_Kitchen", "2:p4": "Unknown"}
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


def test_paper_pool_is_deterministic_given_a_seed():
    mapping = {f"i{k}": "A" for k in range(200)} | {"t": "A"}
    first = paper_pool(pd.Series(["t", "t"]), mapping, n_neg=5, seed=1)
    assert first.equals(paper_pool(pd.Series(["t", "t"]), mapping, n_neg=5, seed=1))
    assert 6 <= len(first) <= 11  # the target + 5 negatives per pair, pooled
    assert not first.equals(paper_pool(pd.Series(["t", "t"]), mapping, n_neg=5, seed=2))


def test_esci_bad_label_and_missing_files(esci_dir):
    EXAMPLES.assign(esci_label=["E", "Q"] + ["E"] * 7).to_parquet(esci_dir / "shopping_queries_dataset_examples.parquet")
    with pytest.raises(DataError, match=r"unknown esci_label value\(s\) \['Q'\]"):
        prepare_search("esci-judged")
    (esci_dir / "shopping_queries_dataset_examples.parquet").unlink()
    with pytest.raises(DataError, match=r"no shopping_queries_dataset_examples.*github.com/amazon-science/esci-data"):
        prepare_search("esci-judged")


def write_c4(folder, pool_lines):
    folder.mkdir()
    (folder / "test.csv").write_text("qid,query,item_id,user_id,ori_rating,ori_review\n"
                                     "0,a gift for my dad,B1,u,5,nice\n1,\"bath toy, messy\",B2,v,5,fun\n")
    with gzip.open(folder / "sampled_item_metadata_1M.jsonl.gz", "wt") as handle:
        handle.writelines(line + "\n" for line in pool_lines)


def test_amazon_c4_queries_pool_and_domains(tmp_path, monkeypatch):
    pool = [json.dumps({"item_id": i, "category": c, "metadata": f"Item {i}."})
            for i, c in [("B1", "Office_Products"), ("B2", "Toys_and_Games"), ("B3", "Office_Products")]]
    write_c4(tmp_path / "c4", pool)
    monkeypatch.setenv("GTEBENCH_AMAZON_C4_DIR", str(tmp_path / "c4"))
    ds = prepare_search("amazon-c4")
    assert ds.queries.to_dict() == {"0": "a gift for my dad", "1": "bath toy, messy"}
    assert ds.item_texts().to_dict() == {"B1": "Item B1.", "B2": "Item B2.", "B3": "Item B3."}
    assert ds.domains() == ["Office_Products", "Toys_and_Games"]
    assert ds.report["pool"] == 3


@pytest.mark.parametrize(("extra", "message"), [
    ('{"item_id": "B1", "category": "x", "metadata": "again"}', r"record 4: duplicate item_id 'B1'"),
    ('{"item_id": "B4", "metadata": ', r"line 4: malformed JSON"),
])
def test_amazon_c4_bad_pool_lines(tmp_path, monkeypatch, extra, message):
    pool = [json.dumps({"item_id": i, "category": "c", "metadata": "m"}) for i in ("B1", "B2", "B3")] + [extra]
    write_c4(tmp_path / "c4", pool)
    monkeypatch.setenv("GTEBENCH_AMAZON_C4_DIR", str(tmp_path / "c4"))
    with pytest.raises(DataError, match=message):
        prepare_search("amazon-c4")


def test_esci_sample_from_shared_data(shared_data):
    ds = prepare_search("esci-sample200")
    assert len(ds.items) == 200 and len(ds.queries) == 138  # the 138 Exact rows of SOURCE.md
    assert len(prepare_search("esci-sample200-graded").queries) == 188  # every row but the 12 Irrelevant


def test_custom_search_folder(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "items.csv").write_text("item_id,title,category\na,Lamp,Home\nb,Mug,Kitchen\n")
    (folder / "queries.csv").write_text("qid,query\nq1,light\nq2,cup\nq3,nothing\n")
    (folder / "qrels.csv").write_text("qid,item_id,relevance\nq1,a,1\nq2,b,0.1\nq3,zz,1\n")
    ds = prepare_search(f"custom:{folder}")
    assert ds.queries.to_dict() == {"q1": "light", "q2": "cup"}
    assert ds.report == {"judgments_without_item_metadata": 1, "queries_without_relevant_item": 1}
    assert ds.query_domain.to_dict() == {"q1": "Home", "q2": "Kitchen"}
    (folder / "qrels.csv").write_text("qid,item_id,relevance\nq9,a,1\n")
    with pytest.raises(DataError, match=r"qid\(s\) not in queries.csv"):
        prepare_search(f"custom:{folder}")
