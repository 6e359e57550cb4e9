"""Home Depot search: a tiny fixture with every kind of bad row (hand-counted), the seeded split, and the real
folder in ../shared/data (skipped with the reason when it is absent)."""

import logging

import pytest

from gtebench.data import DataError
from gtebench.data.homedepot import load_homedepot, split_queries
from gtebench.data.search import check_search, prepare_search
from gtebench.data.types import SearchSpec

PRODUCTS = 'product_uid,product_title\np1,Angle Bracket\np2,"Deck Over, 1 gal"\np3,"Shower\nFaucet"\np4,Drill\n'
JUDGED = (
    "id,product_uid,product_title,search_term,relevance\n"
    "1,p1,Angle Bracket,angle brakcet,3\n"  # line 2: q1, gain 2
    '2,p2,"Deck Over, 1 gal",angle brakcet,1\n'  # line 3: q1, judged irrelevant (gain 0)
    "3,p3,Shower Faucet,shower,abc\n"  # line 4: relevance not a number
    "4,p9,Ghost,shower,3\n"  # line 5: product not in the pool
    "5,p1,Angle Bracket,angle brakcet,2\n"  # line 6: repeats (angle brakcet, p1)
    "6,p3,Old title,shower,2.33\n"  # line 7: q6; its title differs from the pool's
    "7,p4,Drill,  ,3\n"  # line 8: empty query
    "8,p4,Drill,drill,1\n"  # line 9: q8, only judged irrelevant
    "9,p2,Deck,deck,4.5\n"  # line 10: relevance off the 1..3 scale
    '10,p2,"Deck Over, 1 gal",deck over,2.67\n'  # line 11: q10
    '11,p3,"Shower\nFaucet",faucet,1.67\n'  # lines 12-13: q11 (a quoted newline in the title)
    "12,p4,Drill,drill bit,2\n"  # line 14: q12
)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "products.csv").write_text(PRODUCTS)
    (tmp_path / "train.csv").write_text(JUDGED)
    monkeypatch.setenv("GTEBENCH_HOMEDEPOT_DIR", str(tmp_path))
    return tmp_path


def view(split: str = "test", relevance: str = "graded"):
    """One split and relevance view of the fixture, through the loader and the search invariants."""
    spec = SearchSpec(f"hd-{split}-{relevance}", "fixture", "homedepot", "title",
                      {"split": split, "relevance": relevance})
    return check_search(load_homedepot(spec))


def all_splits(relevance: str = "graded"):
    return [view(split, relevance) for split in ("test", "validation", "train")]


def test_bad_rows_are_counted_and_named(folder, caplog):
    with caplog.at_level(logging.WARNING, logger="gtebench.data.homedepot"):
        ds = prepare_search("homedepot")
    counts = {k: ds.report[k] for k in ("judged_rows", "rows_with_unparseable_relevance", "rows_with_empty_query",
                                         "rows_with_product_not_in_pool", "duplicate_pairs",
                                         "rows_whose_title_differs_from_pool", "queries_all_splits", "pool")}
    assert counts == {"judged_rows": 12, "rows_with_unparseable_relevance": 2, "rows_with_empty_query": 1,
                      "rows_with_product_not_in_pool": 1, "duplicate_pairs": 1,
                      "rows_whose_title_differs_from_pool": 1, "queries_all_splits": 6, "pool": 4}
    assert "line(s) [4, 10]" in caplog.text and "line(s) [5]" in caplog.text and "line(s) [6]" in caplog.text
    assert "line(s) [8]" in caplog.text and str(folder / "train.csv") in caplog.text


def test_splits_partition_the_queries_and_graded_gains(folder):
    splits = all_splits()
    assert [len(ds.queries) + ds.report["queries_without_relevant"] for ds in splits] == [1, 1, 4]  # of 6
    qids = [set(ds.queries.index) for ds in splits]
    assert not (qids[0] & qids[1]) and not (qids[0] & qids[2]) and not (qids[1] & qids[2])
    # six valid queries; "drill" (q8) has only an irrelevant judgment, so it is removed wherever it lands
    assert set().union(*qids) == {"q1", "q6", "q10", "q11", "q12"}
    assert sum(ds.report["queries_without_relevant"] for ds in splits) == 1
    assert [ds.report["test_queries"] + ds.report["validation_queries"] + ds.report["train_queries"]
            for ds in splits] == [6, 6, 6]
    qrels = next(ds for ds in splits if "q1" in ds.queries.index).qrels.set_index(["qid", "item_id"])
    assert qrels.loc[("q1", "p1"), "relevance"] == pytest.approx(2.0)  # the first judgment (3) kept, not the repeat
    assert qrels.loc[("q1", "p2"), "relevance"] == 0.0  # judged irrelevant stays: condensed lists need it
    queries = {q: t for ds in splits for q, t in ds.queries.items()}
    assert queries["q1"] == "angle brakcet"  # the misspelling is kept
    texts = splits[0].item_texts()
    assert texts["p3"] == "Shower\nFaucet" and texts["p1"] == "Angle Bracket"  # the pool's title


def test_binary_view_keeps_queries_judged_highly_relevant(folder):
    binary = all_splits("binary")
    assert set().union(*(set(ds.queries.index) for ds in binary)) == {"q1", "q10"}  # mean rating >= 2.67
    assert sum(ds.report["queries_without_relevant"] for ds in binary) == 4
    qrels = next(ds for ds in binary if "q1" in ds.queries.index).qrels.query("qid == 'q1'").set_index("item_id")
    assert qrels["relevance"].to_dict() == {"p1": 1.0, "p2": 0.0}
    test_qids = {q for q, s in split_queries(["q1", "q6", "q8", "q10", "q11", "q12"]).items() if s == "test"}
    assert set(prepare_search("homedepot-binary").queries.index) == test_qids & {"q1", "q10"}
    assert set(prepare_search("homedepot").queries.index) == test_qids - {"q8"}


def test_split_is_seeded_and_60_20_20():
    qids = [f"q{i}" for i in range(1000)]
    split = split_queries(qids)
    assert [list(split.values()).count(n) for n in ("train", "validation", "test")] == [600, 200, 200]
    assert split == split_queries(qids) and split != split_queries(qids, seed=1)


def test_missing_file_column_and_repeated_product_are_errors(folder):
    (folder / "train.csv").rename(folder / "other.csv")
    with pytest.raises(DataError, match=r"no train\{.csv\}.*SOURCE.md"):
        prepare_search("homedepot")
    (folder / "train.csv").write_text("id,product_uid,search_term,relevance\n1,p1,x,3\n")
    with pytest.raises(DataError, match=r"train.csv: missing required column\(s\) \['product_title'\]"):
        prepare_search("homedepot")
    (folder / "train.csv").write_text(JUDGED)
    (folder / "products.csv").write_text(PRODUCTS + "p1,Again\n")
    with pytest.raises(DataError, match=r"products.csv: 1 duplicate product_uid"):
        prepare_search("homedepot")


def test_the_real_folder(shared_data, monkeypatch):
    monkeypatch.delenv("GTEBENCH_HOMEDEPOT_DIR", raising=False)
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(shared_data))
    if not (shared_data / "homedepot_search").is_dir():
        pytest.skip(f"{shared_data / 'homedepot_search'} is absent (see its SOURCE.md)")
    ds = prepare_search("homedepot")
    assert len(ds.items) == 54_667 and ds.item_texts().str.len().min() > 0
    report = ds.report
    assert report["judged_rows"] == 61_511 and report["queries_all_splits"] == 9_808
    assert [report[f"{s}_queries"] for s in ("train", "validation", "test")] == [5_885, 1_962, 1_961]
    bad = ("rows_with_unparseable_relevance", "rows_with_empty_query", "rows_with_product_not_in_pool",
           "duplicate_pairs")
    assert [report[k] for k in bad] == [0, 0, 0, 0] and report["rows_whose_title_differs_from_pool"] == 22
    assert len(ds.queries) == 1_958 and report["queries_without_relevant"] == 3
    train = prepare_search("homedepot-train")
    assert not set(train.queries.index) & set(ds.queries.index)
    binary = prepare_search("homedepot-binary")
    assert set(binary.queries.index) < set(ds.queries.index) and len(binary.queries) == 1_622
