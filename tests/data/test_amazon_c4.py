"""Amazon-C4: queries, the streamed pool, domains and bad pool lines (files in the official format)."""

import gzip
import json

import pytest

from gtebench.data import DataError
from gtebench.data.search import prepare_search


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
