"""Search tables for shallow judgments: the rankings in each view and the sentence that names both bests."""

import pandas as pd

from gtebench.results import COLUMNS
from gtebench.tables import describe_ps, ps_rankings, ps_table

VALUES = {  # model -> (ndcg@100, ndcg@100_condensed, recall@100_high): the two views disagree on the best model
    "bm25": (0.40, 0.70, 0.50),
    "minilm-l6": (0.35, 0.80, 0.60),
    "tfidf-svd": (0.20, 0.50, 0.30),
}


def frame():
    rows = []
    for model, values in VALUES.items():
        for metric, value in zip(("ndcg@100", "ndcg@100_condensed", "recall@100_high"), values):
            rows.append({**{c: "" for c in COLUMNS}, "task": "ps", "dataset": "homedepot", "domain": "All",
                         "variant": "full", "model": model, "model_class": "x", "metric": metric, "value": value})
    return pd.DataFrame(rows, columns=COLUMNS)


def test_ps_table_keeps_the_shallow_columns():
    table = ps_table(frame())
    assert list(table.columns[-3:]) == ["ndcg@100", "ndcg@100_condensed", "recall@100_high"]
    assert table["model"].tolist() == ["bm25", "minilm-l6", "tfidf-svd"]  # best nDCG@100 first


def test_rankings_per_view():
    ranks = ps_rankings(frame()).loc["homedepot"]
    assert list(ranks.columns) == ["ndcg@100", "ndcg@100_condensed", "recall@100_high"]
    assert ranks.loc[1, "ndcg@100"].startswith("BM25 (bm25s) (40.00)")
    assert ranks.loc[1, "ndcg@100_condensed"] == "all-MiniLM-L6-v2 (80.00)"
    assert ranks.loc[3, "recall@100_high"].endswith("(30.00)")


def test_describe_ps_names_the_best_in_both_views():
    text = describe_ps(frame())
    assert "the best model is BM25 (bm25s) (nDCG@100 40.00%)" in text
    assert "on condensed lists (unjudged products removed) all-MiniLM-L6-v2" in text and "(80.00%)" in text
