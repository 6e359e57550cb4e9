"""ranx metrics against hand-computed values on toy queries; graded gains; per-domain means; paired tests."""

import math

import pandas as pd
import pytest

from gtebench.search.metrics import domain_means, paired_test, per_query_metrics

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
