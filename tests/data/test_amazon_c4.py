"""Amazon-C4: queries, the streamed pool, domains (asin2category.json or the pool's short labels), bad pool lines.

Files in the official formats. The pool's `category` field holds short labels as the real
sampled_item_metadata_1M.jsonl does ('Office', 'Sports', 'Care', ...; the dataset card shows {'item_id':
'B0778XR2QM', 'category': 'Care', ...}), never the Amazon 2023 names of the paper's columns.
"""

import gzip
import json
import logging

import pytest

from gtebench.data import DataError
from gtebench.data.amazon2023_sources import CATEGORIES
from gtebench.data.amazon_c4 import POOL_LABELS
from gtebench.data.search import prepare_search

# (target, pool label): q0 Office, q1 Sports, q2 Games (ambiguous: kept and counted), q3 Care (idem), q4 no label
TARGETS = [("B1", "Office"), ("B2", "Sports"), ("B3", "Games"), ("B4", "Care"), ("B5", "")]
NEGATIVES = [("N1", "Office"), ("N2", "Sports")]


def write_c4(folder, pool_lines):
    folder.mkdir()
    (folder / "test.csv").write_text("qid,query,item_id,user_id,ori_rating,ori_review\n" + "".join(
        f'{n},"query {n}, long",{item},u{n},5,nice\n' for n, (item, _) in enumerate(TARGETS)))
    with gzip.open(folder / "sampled_item_metadata_1M.jsonl.gz", "wt") as handle:
        handle.writelines(line + "\n" for line in pool_lines)


@pytest.fixture
def c4(tmp_path, monkeypatch):
    folder = tmp_path / "c4"
    write_c4(folder, [json.dumps({"item_id": i, "category": c, "metadata": f"Item {i}."})
                      for i, c in TARGETS + NEGATIVES])
    monkeypatch.setenv("GTEBENCH_AMAZON_C4_DIR", str(folder))
    return folder


def test_queries_pool_and_domains_from_the_pools_short_labels(c4, caplog):
    with caplog.at_level(logging.WARNING, logger="gtebench.data.amazon_c4"):
        ds = prepare_search("amazon-c4")
    assert ds.queries.to_dict() == {str(n): f"query {n}, long" for n in range(5)}
    assert ds.item_texts()["N2"] == "Item N2." and ds.report["pool"] == 7
    assert ds.query_domain.to_dict() == {"0": "Office_Products", "1": "Sports_and_Outdoors", "2": "Games",
                                         "3": "Care", "4": ""}
    assert ds.domains() == ["Care", "Games", "Office_Products", "Sports_and_Outdoors"]
    assert ds.for_domain("Office_Products").queries.index.tolist() == ["0"]  # the paper's column is not empty
    assert ds.report["domain_source"].startswith("the pool's category labels")
    # an unmapped label stays as it is, counted; a query without a label counts in 'All' only
    assert ds.report["queries_unmapped_domain"] == 2 and ds.report["unmapped_domains"] == {"Care": 1, "Games": 1}
    assert ds.report["queries_without_domain"] == 1
    assert "asin2category.json" in caplog.text and "{'Care': 1, 'Games': 1}" in caplog.text


@pytest.mark.parametrize("name", ["asin2category.json", "asin2category.json.gz"])
def test_domains_follow_asin2category_json_when_it_is_beside_the_c4_files(c4, name):
    # the authors' grouping: the file wins over the pool's label (B2 is labelled 'Sports' in the pool);
    # categories spelt with spaces as in the file; B5 is missing from the map
    mapping = {"B1": "Office Products", "B2": "Office Products", "B3": "Video Games", "B4": "Beauty and Personal Care",
               "N1": "Office Products", "X9": "Toys and Games"}
    opener = gzip.open if name.endswith(".gz") else open
    with opener(c4 / name, "wt") as handle:
        json.dump(mapping, handle)
    ds = prepare_search("amazon-c4")
    assert ds.query_domain.to_dict() == {"0": "Office_Products", "1": "Office_Products", "2": "Video_Games",
                                         "3": "Beauty_and_Personal_Care", "4": ""}
    assert ds.report["domain_source"].startswith("asin2category.json")
    assert ds.report["queries_unmapped_domain"] == 0 and ds.report["queries_without_domain"] == 1
    assert name in ds.sources  # its checksum keys the cache: adding or changing the file re-prepares


def test_adding_asin2category_json_later_changes_the_domains(c4):
    assert prepare_search("amazon-c4").query_domain["1"] == "Sports_and_Outdoors"
    (c4 / "asin2category.json").write_text(json.dumps({"B2": "Sports and Outdoors", "B1": "Office Products"}))
    ds = prepare_search("amazon-c4")
    assert ds.query_domain.to_dict() == {"0": "Office_Products", "1": "Sports_and_Outdoors", "2": "", "3": "",
                                         "4": ""}
    assert ds.report["queries_without_domain"] == 3


def test_a_malformed_asin2category_json_names_the_file(c4):
    (c4 / "asin2category.json").write_text('{"B1": ["Office Products"]}')
    with pytest.raises(DataError, match=r"asin2category.json: not a flat JSON object of strings"):
        prepare_search("amazon-c4")


def test_every_pool_label_names_exactly_one_amazon2023_category():
    # the justification of the table: the label is a word of one category name, and of no other
    for label, category in POOL_LABELS.items():
        holders = [c for c in CATEGORIES if label in c.split("_")]
        assert holders == [category], (label, holders)
    for ambiguous in ("Care", "Games", "Home"):  # seen in the real pool, but two categories share the word
        assert ambiguous not in POOL_LABELS
        assert len([c for c in CATEGORIES if ambiguous in c.split("_")]) == 2


@pytest.mark.parametrize(("extra", "message"), [
    ('{"item_id": "B1", "category": "x", "metadata": "again"}', r"record 8: duplicate item_id 'B1'"),
    ('{"item_id": "B9", "metadata": ', r"line 8: malformed JSON"),
])
def test_amazon_c4_bad_pool_lines(tmp_path, monkeypatch, extra, message):
    pool = [json.dumps({"item_id": i, "category": "Office", "metadata": "m"}) for i, _ in TARGETS + NEGATIVES]
    write_c4(tmp_path / "c4", pool + [extra])
    monkeypatch.setenv("GTEBENCH_AMAZON_C4_DIR", str(tmp_path / "c4"))
    with pytest.raises(DataError, match=message):
        prepare_search("amazon-c4")
