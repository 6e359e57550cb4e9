"""Search metrics through ranx: nDCG@100 (the paper's), Recall@100, MRR@100, nDCG@10, per query and per domain.

ranx stores relevance as integers, so graded ESCI gains (E 1.0, S 0.1, C 0.01) are scaled by 100 before they go
in; ranx's nDCG uses linear gains (Järvelin and Kekäläinen), and a linear scale leaves nDCG unchanged. Recall and
MRR count every item with a positive gain as relevant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ("ndcg@100", "recall@100", "mrr@100", "ndcg@10")
GAIN_SCALE = 100  # graded gains 1.0 / 0.1 / 0.01 -> integers 100 / 10 / 1


def ranx_qrels(qrels: pd.DataFrame):
    """ranx Qrels from rows (qid, item_id, relevance > 0); relevance scaled to integers (GAIN_SCALE)."""
    from ranx import Qrels

    positive = qrels[qrels["relevance"] > 0]
    scaled = np.rint(positive["relevance"].to_numpy(dtype=float) * GAIN_SCALE).astype(int)
    if (scaled < 1).any():
        raise ValueError(f"relevance gains below {1 / GAIN_SCALE} cannot be represented; "
                         f"got {positive['relevance'].min()}")
    table = {}
    for qid, item, gain in zip(positive["qid"].astype(str), positive["item_id"].astype(str), scaled):
        table.setdefault(qid, {})[item] = int(gain)
    return Qrels.from_dict(table)


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
