"""Paired significance tests between encoders, Holm-corrected, as the paper reports them.

The paper marks the best generalist (GTE) against the best specialised encoder (BLaIR) per backbone and dataset.
Where a run has no specialised encoder (the offline default has none), the best generalist is compared with the
best model of every other class that is present (classic, lexical, closed, ID items), so the file always says
whether the generalist's lead is more than per-user noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

GENERALIST_CLASSES = ("generalist-encoder", "generalist-decoder")
REFERENCE_CLASSES = ("specialised", "classic", "lexical", "closed", "id")  # compared against the best generalist
TESTS = ("wilcoxon", "ttest")


def paired_p_values(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Two-sided p-values of the Wilcoxon signed-rank test and the paired t-test on per-user values."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired tests need two equal-length vectors, got shapes {a.shape} and {b.shape}")
    if len(a) < 2:
        raise ValueError(f"paired tests need at least 2 users, got {len(a)}")
    differences = a - b
    if not differences.any():  # identical rankings: no evidence of a difference (scipy would warn and give nan)
        return {"wilcoxon": 1.0, "ttest": 1.0}
    wilcoxon = stats.wilcoxon(a, b, zero_method="wilcox", alternative="two-sided").pvalue
    if np.allclose(differences, differences[0]):  # constant non-zero difference: t undefined, the sign is certain
        ttest = 0.0
    else:
        ttest = stats.ttest_rel(a, b).pvalue
    return {"wilcoxon": float(wilcoxon), "ttest": float(ttest)}


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1), in the input order."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0:
        return p
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise ValueError(f"p-values must lie in [0, 1], got {p.tolist()}")
    order = np.argsort(p, kind="stable")
    scaled = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(scaled, 1.0)
    return adjusted


def best_against_each_class(means: dict[str, float], classes: dict[str, str]) -> list[tuple[str, str, str]]:
    """Which pairs to test: the best generalist against the best model of each reference class present.

    `means` maps a model to its mean score, `classes` a model to its class. "Best" is the highest mean, equal
    means going to the alphabetically first model. Returns (generalist, reference class, reference model) per
    class in REFERENCE_CLASSES order; empty when no generalist is present. Used by the SR tests (per metric) and
    the search tests alike.
    """
    def best(models: list[str]) -> str:
        return min(models, key=lambda m: (-means[m], m))

    generalists = [m for m in means if classes[m] in GENERALIST_CLASSES]
    if not generalists:
        return []
    leader = best(generalists)
    pairs = []
    for reference_class in REFERENCE_CLASSES:
        candidates = [m for m in means if classes[m] == reference_class]
        if candidates:
            pairs.append((leader, reference_class, best(candidates)))
    return pairs


def compare_best_generalist(per_user: pd.DataFrame, metrics: tuple[str, ...],
                            group_keys: tuple[str, ...]) -> pd.DataFrame:
    """Best generalist against the best model of each reference class, per group (e.g. dataset x backbone).

    `per_user` has one row per group x model x seed x user with columns model, model_class, seed, user and the
    metrics. Values are averaged over seeds per user, then paired on the users both models were evaluated on.
    "Best" means the highest mean of each metric. Holm's correction runs over the comparisons of one group,
    metric and test.
    """
    missing = {"model", "model_class", "seed", "user", *metrics, *group_keys} - set(per_user.columns)
    if missing:
        raise ValueError(f"per-user frame lacks columns {sorted(missing)}")
    rows = []
    for group, part in per_user.groupby(list(group_keys)):
        group = group if isinstance(group, tuple) else (group,)
        users = part.groupby(["model", "model_class", "user"])[list(metrics)].mean().reset_index()
        classes = dict(zip(users["model"], users["model_class"]))
        for metric in metrics:
            means = users.groupby("model")[metric].mean().to_dict()
            family = []
            for model, reference_class, reference in best_against_each_class(means, classes):
                a = users[users["model"] == model].set_index("user")[metric]
                b = users[users["model"] == reference].set_index("user")[metric]
                a, b = a.align(b, join="inner")
                family.append({
                    **dict(zip(group_keys, group)), "metric": metric,
                    "model": model, "model_class": classes[model], "mean": float(a.mean()),
                    "reference": reference, "reference_class": reference_class, "reference_mean": float(b.mean()),
                    "users": len(a), **{f"p_{t}": p for t, p in paired_p_values(a.to_numpy(), b.to_numpy()).items()},
                })
            for test in TESTS:
                adjusted = holm([row[f"p_{test}"] for row in family])
                for row, value in zip(family, adjusted):
                    row[f"p_{test}_holm"] = float(value)
            rows += family
    columns = [*group_keys, "metric", "model", "model_class", "mean", "reference", "reference_class", "reference_mean",
               "users", *(f"p_{t}" for t in TESTS), *(f"p_{t}_holm" for t in TESTS)]
    return pd.DataFrame(rows, columns=columns)


def bootstrap_intervals(per_unit: pd.DataFrame, metrics: tuple[str, ...], group_keys: tuple[str, ...],
                        unit: str = "user", confidence: float = 0.95, resamples: int = 1000) -> pd.DataFrame:
    """A percentile-bootstrap interval of each model's mean metric over users (or queries), per group.

    Args:
        per_unit: one row per group x variant x model (x seed) x unit, with the metric columns; values are averaged
            over seeds per unit first, so the interval says how much the users (queries) drawn move the mean (what a
            one-seed figure can show), not how much a seed does.
        metrics: the metric columns to summarise.
        group_keys: the columns that make a group (dataset x backbone; dataset), each model's units resampled in it.
        unit: the column naming what is resampled: "user" (recommendation), "qid" (search).
        confidence: the interval's coverage (0.95: the 2.5th and 97.5th percentiles of the resampled means).
        resamples: bootstrap resamples; seeded (one generator per call), so the file regenerates exactly.
    Returns one row per group x variant x model x metric: mean, low, high, units, seeds, confidence.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    keys = [*group_keys, "variant", "model"]
    missing = {unit, *metrics, *keys} - set(per_unit.columns)
    if missing:
        raise ValueError(f"per-{unit} frame lacks columns {sorted(missing)}")
    rng = np.random.default_rng(0)
    rows = []
    for key, part in per_unit.groupby(keys, sort=True):
        units = part.groupby(unit)[list(metrics)].mean()
        for metric in metrics:
            values = units[metric].to_numpy(dtype=np.float64)
            if len(values) < 2 or np.ptp(values) == 0:  # nothing to resample: the interval is the point
                low = high = float(values.mean())
            else:
                result = stats.bootstrap((values,), np.mean, confidence_level=confidence, n_resamples=resamples,
                                         method="percentile", vectorized=True, batch=100, random_state=rng)
                low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
            rows.append({**dict(zip(keys, key)), "metric": metric, "mean": float(values.mean()), "low": low,
                         "high": high, "units": len(values),
                         "seeds": part["seed"].nunique() if "seed" in part else 1, "confidence": confidence})
    return pd.DataFrame(rows, columns=[*keys, "metric", "mean", "low", "high", "units", "seeds", "confidence"])
