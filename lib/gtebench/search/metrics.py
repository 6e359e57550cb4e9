"""Search metrics through ranx: nDCG@100 (the paper's), Recall@100, MRR@100, nDCG@10, per query and per domain;
and, for shallow judgments (Home Depot: ~6 judged products per query), the same nDCGs on condensed lists and the
Recall@100 of the highly relevant products (shallow_metrics).

ranx stores relevance as integers, so graded ESCI gains (E 1.0, S 0.1, C 0.01) are scaled by 100 before they go
in; ranx's nDCG uses linear gains (Järvelin and Kekäläinen), and a linear scale leaves nDCG unchanged. Recall and
MRR count every item with a positive gain as relevant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ("ndcg@100", "recall@100", "mrr@100", "ndcg@10")
# condensed: unjudged products removed from each ranking before scoring (Sakai 2007; trec_eval -J); high: Recall@100
# of the products whose mean rating reaches the dataset's "highly relevant" threshold
SHALLOW_METRICS = ("ndcg@10_condensed", "ndcg@100_condensed", "recall@100_high")
GAIN_SCALE = 100  # graded gains 1.0 / 0.1 / 0.01 -> integers 100 / 10 / 1


def scaled_gains(qrels: pd.DataFrame) -> dict[str, dict[str, int]]:
    """qid -> {item_id: gain} of the rows with relevance > 0, gains scaled to integers (GAIN_SCALE)."""
    positive = qrels[qrels["relevance"] > 0]
    scaled = np.rint(positive["relevance"].to_numpy(dtype=float) * GAIN_SCALE).astype(int)
    if (scaled < 1).any():
        raise ValueError(f"relevance gains below {1 / GAIN_SCALE} cannot be represented; "
                         f"got {positive['relevance'].min()}")
    table: dict[str, dict[str, int]] = {}
    for qid, item, gain in zip(positive["qid"].astype(str), positive["item_id"].astype(str), scaled):
        table.setdefault(qid, {})[item] = int(gain)
    return table


def ranx_qrels(qrels: pd.DataFrame):
    """ranx Qrels from rows (qid, item_id, relevance > 0); relevance scaled to integers (GAIN_SCALE)."""
    from ranx import Qrels

    return Qrels.from_dict(scaled_gains(qrels))


def ranx_run(run: dict[str, dict[str, float]], name: str):
    """A named ranx Run of the {qid: {item: score}} run."""
    from ranx import Run

    return Run.from_dict({q: dict(items) for q, items in run.items()}, name=name)


def per_query_metrics(qrels: pd.DataFrame, run: dict[str, dict[str, float]], metrics=METRICS) -> pd.DataFrame:
    """One row per judged query, one column per metric; a query the run lacks scores 0 (ranx's convention)."""
    from ranx import evaluate

    judged = ranx_qrels(qrels)
    qids = list(judged.keys())
    complete = {q: run.get(q) or {} for q in qids}
    values = evaluate(judged, ranx_run(complete, "run"), list(metrics), return_mean=False, make_comparable=True)
    if not isinstance(values, dict):  # ranx returns the bare array for a single metric
        values = {metrics[0]: values}
    frame = pd.DataFrame({m: np.asarray(values[m], dtype=float) for m in metrics})
    frame.insert(0, "qid", qids)
    return frame


def domain_means(per_query: pd.DataFrame, query_domain: pd.Series, domains) -> pd.DataFrame:
    """Mean of every metric over all queries ("All") and over each requested domain with at least one query."""
    rows = [per_query.drop(columns="qid").mean().rename("All")]
    by_domain = per_query["qid"].map(query_domain).fillna("")
    for domain in domains:
        part = per_query[by_domain == domain]
        if len(part):
            rows.append(part.drop(columns="qid").mean().rename(domain))
    return pd.DataFrame(rows)


def paired_test(qrels: pd.DataFrame, runs: dict[str, dict[str, dict[str, float]]], metric: str = "ndcg@100",
                test: str = "student") -> pd.DataFrame:
    """ranx's paired test between every two runs on one metric: p-values, one row per pair.

    Args:
        qrels: the judgements; runs: run name -> {qid: {item_id: score}}; metric: a ranx metric; test: ranx's test.
    """
    from ranx import compare

    judged = ranx_qrels(qrels)
    named = [ranx_run({q: runs[name].get(q) or {} for q in judged.keys()}, name) for name in runs]
    report = compare(judged, named, metrics=[metric], stat_test=test, make_comparable=True)
    rows = []
    names = list(runs)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            rows.append({"model": a, "reference": b, "metric": metric, "test": test,
                         "p_value": float(report.comparisons[a, b][metric]["p_value"])})
    return pd.DataFrame(rows)


def condensed_run(run: dict[str, dict[str, float]], qrels: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The run with every product not judged for its query removed (judged irrelevant ones stay): an unjudged
    product is unknown, not irrelevant, so the condensed list ranks only what the judges saw. The retrieved top k
    is condensed, so a judged product the model ranked below k still counts as not retrieved."""
    judged: dict[str, set[str]] = {}
    for qid, item in zip(qrels["qid"].astype(str), qrels["item_id"].astype(str)):
        judged.setdefault(qid, set()).add(item)
    return {q: {i: s for i, s in items.items() if i in judged.get(q, ())} for q, items in run.items()}


def shallow_metrics(qrels: pd.DataFrame, run: dict[str, dict[str, float]], high_relevance: float) -> pd.DataFrame:
    """SHALLOW_METRICS per judged query: nDCG@10 and @100 of the condensed run (graded gains), and Recall@100 of
    the products whose `judged_relevance` (the raw mean rating) is >= high_relevance, NaN for a query with none
    (so means are over the queries that have one)."""
    if "judged_relevance" not in qrels.columns:
        raise ValueError("shallow_metrics needs qrels with a judged_relevance column (the raw rating), as the Home "
                         "Depot loader writes; this dataset's qrels have " + str(list(qrels.columns)))
    condensed = per_query_metrics(qrels, condensed_run(run, qrels), ("ndcg@10", "ndcg@100"))
    frame = condensed.rename(columns={"ndcg@10": "ndcg@10_condensed", "ndcg@100": "ndcg@100_condensed"})
    high = qrels[qrels["judged_relevance"] >= high_relevance - 1e-9].assign(relevance=1.0)
    if high.empty:
        return frame.assign(**{"recall@100_high": np.nan})
    recall = per_query_metrics(high, run, ("recall@100",)).rename(columns={"recall@100": "recall@100_high"})
    return frame.merge(recall, on="qid", how="left")
