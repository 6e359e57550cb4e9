"""Training pairs: BLaIR's review <-> item pairs with its filters, next-item pairs from training sequences only
(a held-out target never becomes a pair), and the documented pairs file."""

import gzip
import json

import pytest

from gtebench.data.errors import DataError
from gtebench.data.files import shared_data_root
from gtebench.data.search import prepare_search
from gtebench.specialise.pairs import clean, next_item_pairs, pairs_file, query_product_pairs, review_item_pairs

LONG = "a review long enough to pass BLaIR's thirty-character filter"


def _gz(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)


def test_review_pairs_follow_blairs_cleaning_and_filters(tmp_path):
    gift = tmp_path / "amazon2018_gift_cards"
    _gz(gift / "meta_Gift_Cards.json.gz", [
        {"asin": "A", "title": "Acme <b>gift</b> card", "feature": ["plastic"], "description": ["Use it at &amp; Co."]},
        {"asin": "B", "title": "Tiny", "feature": [], "description": []}])
    _gz(gift / "Gift_Cards_5.json.gz", [
        {"asin": "A", "summary": "Great", "reviewText": LONG},  # kept
        {"asin": "A", "summary": "Ok", "reviewText": "short"},  # review of 30 characters or less
        {"asin": "B", "summary": "Fine", "reviewText": LONG},  # item text of 30 characters or less
        {"asin": "Z", "summary": "Lost", "reviewText": LONG}])  # no metadata for the item
    pairs = review_item_pairs(("amazon2018_gift_cards",), folder=tmp_path)
    assert pairs.frame.to_dict("records") == [
        {"anchor": f"Great {LONG}", "positive": "Acme gift card plastic Use it at & Co."}]
    assert pairs.report["sources"]["amazon2018_gift_cards"] == {
        "reviews": 4, "reviews_without_item": 1, "review_30_chars_or_less": 1, "item_text_30_chars_or_less": 1,
        "pairs": 1}
    assert len(pairs.checksum) == 64
    with pytest.raises(DataError, match="unknown review source"):
        review_item_pairs(("gift_cards",), folder=tmp_path)
    with pytest.raises(DataError, match="meta_Magazine_Subscriptions.json.gz is missing.*SOURCE.md"):
        review_item_pairs(("amazon2018_magazine_subscriptions",), folder=tmp_path)


def test_clean_undoes_html_and_joins_lists():
    assert clean(["Tab\there", None, "new\nline &amp;amp; <i>more</i>"]) == "Tab here new line & more"
    assert clean(None) == "" and clean(float("nan")) == ""


def test_next_item_pairs_never_contain_a_held_out_target(tmp_path):
    """Each user's last two items are validation and test targets: their transitions are unique texts here, so a
    builder that used them would put them in the pairs and fail this test."""
    folder = tmp_path / "shop"
    folder.mkdir()
    names = ["boot", "tent", "stove", "valid-only lamp", "test-only map", "rope", "knife", "valid-only cup",
             "test-only hat"]
    (folder / "items.jsonl").write_text("".join(json.dumps({"item_id": str(i), "title": n}) + "\n"
                                                for i, n in enumerate(names)))
    # u: boot tent stove | lamp (valid) | map (test); v: rope knife boot | cup (valid) | hat (test)
    (folder / "interactions.csv").write_text("user_id,item_id,timestamp\n" + "".join(
        f"{u},{i},{t}\n" for u, seq in (("u", [0, 1, 2, 3, 4]), ("v", [5, 6, 0, 7, 8])) for t, i in enumerate(seq)))
    pairs = next_item_pairs(f"custom:{folder}")
    assert sorted(map(tuple, pairs.frame.values)) == [("boot", "tent"), ("knife", "boot"), ("rope", "knife"),
                                                      ("tent", "stove")]
    texts = set(pairs.frame["anchor"]) | set(pairs.frame["positive"])
    assert not any(t.startswith(("valid-only", "test-only")) for t in texts)
    assert pairs.report["held_out_rows"] == 4 and pairs.report["train_rows"] == 4


def test_pairs_file_format_and_errors(tmp_path):
    good = tmp_path / "pairs.jsonl"
    good.write_text('{"anchor": "q", "positive": "p", "negative": "n"}\n{"anchor": "q2", "positive": "p2"}\n')
    frame = pairs_file(good).frame
    assert list(frame.columns) == ["anchor", "positive", "negative"] and frame["negative"].tolist() == ["n", ""]
    (tmp_path / "bad.csv").write_text("anchor,text\nq,p\n")
    with pytest.raises(DataError, match=r"lacks the column\(s\) \['positive'\]"):
        pairs_file(tmp_path / "bad.csv")
    (tmp_path / "empty.csv").write_text("anchor,positive\nq,p\n ,p\n")
    with pytest.raises(DataError, match="1 row.* empty anchor or positive, first at data row 2"):
        pairs_file(tmp_path / "empty.csv")
    with pytest.raises(DataError, match="does not exist"):
        pairs_file(tmp_path / "absent.jsonl")


@pytest.mark.skipif(not (shared_data_root() / "amazon_reviews_small").is_dir(),
                    reason="the real review sets (../shared/data/amazon_reviews_small) are not on this machine")
def test_the_real_review_sets_give_the_counted_pairs():
    pairs = review_item_pairs()
    sources = pairs.report["sources"]
    assert sources["mdsd2007"]["reviews"] == 8_000 and sources["amazon2018_gift_cards"]["reviews"] == 2_972
    assert pairs.report["pairs"] == sum(s["pairs"] for s in sources.values()) > 10_000
    # MDSD names end in the crawl's ": <Domain>" label, which is not the product's text: removed
    labels = pairs.frame["positive"].str.contains(r": (?:Books|DVD|Electronics|Kitchen & Housewares)(?::|$)")
    assert not labels.any()
    assert (pairs.frame["anchor"].str.len() > 30).all() and (pairs.frame["positive"].str.len() > 30).all()


def _homedepot_folder(folder, queries=30):
    """Query 'w<i>' judged for product i (rated 3, 'good <i>') and product i+1 (rated 1); even queries also for
    product i+2 (rated 2.33, neither positive nor hard negative)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "products.csv").write_text("product_uid,product_title\n" + "".join(
        f"p{i},title {i}\n" for i in range(queries + 2)))
    rows = []
    for i in range(queries):
        rows += [(f"p{i}", f"w{i}", 3), (f"p{i + 1}", f"w{i}", 1)] + ([(f"p{i + 2}", f"w{i}", 2.33)] if i % 2 else [])
    (folder / "train.csv").write_text("id,product_uid,product_title,search_term,relevance\n" + "".join(
        f"{n},{p},x,{q},{r}\n" for n, (p, q, r) in enumerate(rows)))
    return folder


def test_query_pairs_come_from_training_queries_only_with_their_hard_negative(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_HOMEDEPOT_DIR", str(_homedepot_folder(tmp_path / "hd")))
    pairs = query_product_pairs("homedepot-train")
    held_out = set(prepare_search("homedepot").queries) | set(prepare_search("homedepot-validation").queries)
    train = set(prepare_search("homedepot-train").queries)
    assert held_out and not held_out & set(pairs.frame["anchor"])  # a builder reading every split would fail here
    assert set(pairs.frame["anchor"]) == train and len(pairs.frame) == len(train)
    for anchor, positive, negative in pairs.frame.values:
        i = int(anchor[1:])
        assert (positive, negative) == (f"title {i}", f"title {i + 1}")  # rated 3 / the lowest-rated (1)
    assert pairs.report["positives_without_hard_negative"] == 0 and pairs.report["pairs"] == len(train)
    with pytest.raises(DataError, match="'test' split: query pairs come from a training split only"):
        query_product_pairs("homedepot")


@pytest.mark.skipif(not (shared_data_root() / "homedepot_search").is_dir(),
                    reason="the real Home Depot folder (../shared/data/homedepot_search) is not on this machine")
def test_the_real_home_depot_training_queries_give_the_counted_triplets():
    pairs = query_product_pairs()
    report = pairs.report
    assert report["pairs"] == len(pairs.frame) == report["positives"] - report["positives_without_hard_negative"]
    assert report["pairs"] > 10_000 and pairs.frame.notna().all().all()
    assert not set(pairs.frame["anchor"]) & set(prepare_search("homedepot").queries)  # no test query is trained on
