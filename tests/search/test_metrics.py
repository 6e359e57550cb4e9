"""ranx metrics against hand-computed values on toy queries; graded gains; per-domain means; paired tests."""

import math

import pandas as pd
import pytest

from gtebench.search.metrics import condensed_run, domain_means, paired_test, per_query_metrics, shallow_metrics

QRELS = pd.DataFrame({"qid": ["q1", "q1", "q2", "q3"], "item_id": ["a", "b", "c", "d"],
                      "relevance": [1.0, 1.0, 1.0, 1.0]})
RUN = {"q1": {"x": 0.9, "a": 0.8, "y": 0.7, "b": 0.6}, "q2": {"c": 0.5}, "q3": {"x": 0.3}}


@pytest.fixture(scope="module")
def per_query():
    return per_query_metrics(QRELS, RUN).set_index("qid")


def test_binary_metrics_hand_computed(per_query):
    ideal = 1 + 1 / math.log2(3)
    assert per_query.loc["q1", "ndcg@100"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert per_query.loc["q1", "mrr@100"] == pytest.approx(0.5)
    assert per_query.loc["q1", "recall@100"] == 1.0
    assert per_query.loc["q2", "ndcg@10"] == 1.0 and per_query.loc["q2", "mrr@100"] == 1.0
    assert per_query.loc["q3"].sum() == 0.0  # its relevant item was not retrieved


def test_graded_gains_are_linear_and_scale_free():
    graded = pd.DataFrame({"qid": ["q1", "q1", "q1"], "item_id": ["e", "s", "c"], "relevance": [1.0, 0.1, 0.01]})
    run = {"q1": {"s": 3.0, "e": 2.0, "c": 1.0}}
    value = per_query_metrics(graded, run, ("ndcg@100",)).iloc[0]["ndcg@100"]
    dcg = 0.1 + 1.0 / math.log2(3) + 0.01 / math.log2(4)
    ideal = 1.0 + 0.1 / math.log2(3) + 0.01 / math.log2(4)
    assert value == pytest.approx(dcg / ideal)


def test_a_query_missing_from_the_run_scores_zero():
    values = per_query_metrics(QRELS, {"q1": RUN["q1"]}, ("ndcg@100",)).set_index("qid")["ndcg@100"]
    assert values["q2"] == 0 and values["q3"] == 0 and len(values) == 3


def test_domain_means(per_query):
    frame = per_query.reset_index()
    domains = pd.Series({"q1": "Office_Products", "q2": "Office_Products", "q3": ""})
    means = domain_means(frame, domains, ["Office_Products", "Sports_and_Outdoors"])
    assert list(means.index) == ["All", "Office_Products"]  # no Sports query: no row
    assert means.loc["Office_Products", "mrr@100"] == pytest.approx(0.75)
    assert means.loc["All", "mrr@100"] == pytest.approx(0.5)


def test_paired_test_p_values():
    better = {"q1": {"a": 1.0, "b": 0.9}, "q2": {"c": 1.0}, "q3": {"d": 1.0}}
    table = paired_test(QRELS, {"better": better, "run": RUN})
    assert list(table.columns) == ["model", "reference", "metric", "test", "p_value"]
    assert 0 < table.iloc[0]["p_value"] <= 1


# Shallow judgments (Home Depot): gains = mean rating - 1; judged_relevance is the raw rating
SHALLOW_QRELS = pd.DataFrame({
    "qid": ["q1", "q1", "q1", "q2", "q3", "q3", "q4", "q5"],
    "item_id": ["a", "b", "c", "d", "e", "f", "h", "g"],
    "judged_relevance": [3.0, 1.0, 2.33, 2.67, 3.0, 2.0, 2.33, 3.0],
}).assign(relevance=lambda f: f.judged_relevance - 1)
SHALLOW_RUN = {
    "q1": {"x": 0.9, "c": 0.8, "y": 0.7, "a": 0.6, "b": 0.5},  # x, y unjudged
    "q2": {"z": 0.9, "w": 0.8, "d": 0.7},
    "q3": {"f": 0.9},  # e (rated 3) not retrieved
    "q4": {"h": 0.9},  # no product rated >= 2.67
    "q5": {**{f"u{i}": 1.0 - i / 100 for i in range(10)}, "g": 0.5},  # ten unjudged, then g at rank 11
}


@pytest.fixture(scope="module")
def shallow():
    return shallow_metrics(SHALLOW_QRELS, SHALLOW_RUN, high_relevance=2.67).set_index("qid")


def test_condensed_lists_drop_only_unjudged_products():
    condensed = condensed_run(SHALLOW_RUN, SHALLOW_QRELS)
    assert list(condensed["q1"]) == ["c", "a", "b"]  # b is judged (irrelevant): it stays
    assert condensed["q2"] == {"d": 0.7} and condensed["q5"] == {"g": 0.5}


def test_condensed_ndcg_hand_computed(shallow):
    standard = per_query_metrics(SHALLOW_QRELS, SHALLOW_RUN, ("ndcg@10", "ndcg@100")).set_index("qid")
    ideal = 2 + 1.33 / math.log2(3)
    # unjudged = irrelevant: c at rank 2, a at rank 4
    assert standard.loc["q1", "ndcg@10"] == pytest.approx((1.33 / math.log2(3) + 2 / math.log2(5)) / ideal, abs=1e-4)
    # condensed: c, a, b at ranks 1, 2, 3
    assert shallow.loc["q1", "ndcg@10_condensed"] == pytest.approx((1.33 + 2 / math.log2(3)) / ideal, abs=1e-4)
    assert standard.loc["q2", "ndcg@100"] == pytest.approx(0.5) and shallow.loc["q2", "ndcg@100_condensed"] == 1.0
    # g at rank 11 is outside the top 10 unless the ten unjudged products are removed
    assert standard.loc["q5", "ndcg@10"] == 0.0 and shallow.loc["q5", "ndcg@10_condensed"] == 1.0
    assert standard.loc["q5", "ndcg@100"] == pytest.approx(1 / math.log2(12))


def test_recall_of_highly_relevant_products(shallow):
    recall = shallow["recall@100_high"]
    assert recall["q1"] == 1.0 and recall["q2"] == 1.0  # a (3.0) and d (2.67) retrieved; c (2.33) does not count
    assert recall["q3"] == 0.0  # e (3.0) missed; f (2.0) is no target
    assert math.isnan(recall["q4"])  # nothing rated >= 2.67: left out of the mean
    assert recall.mean() == pytest.approx(3 / 4)


def test_shallow_metrics_need_the_raw_rating():
    with pytest.raises(ValueError, match="judged_relevance"):
        shallow_metrics(QRELS, RUN, high_relevance=2.67)
