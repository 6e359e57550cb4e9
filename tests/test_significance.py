"""Paired tests and Holm's correction against hand-computed values; the best-generalist comparison."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gtebench.significance import bootstrap_intervals, compare_best_generalist, holm, paired_p_values


def test_holm_hand_computed():
    # sorted: 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> monotone 0.06; back in input order
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm([]).size == 0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.1, 1.2])


def test_paired_p_values():
    rng = np.random.default_rng(0)
    a = rng.random(200)
    assert paired_p_values(a, a) == {"wilcoxon": 1.0, "ttest": 1.0}
    shifted = paired_p_values(a + 0.05 + 0.01 * rng.standard_normal(200), a)
    assert shifted["wilcoxon"] < 1e-10 and shifted["ttest"] < 1e-10
    b = a + 0.1 * rng.standard_normal(200)
    assert paired_p_values(a, b)["ttest"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    with pytest.raises(ValueError, match="equal-length"):
        paired_p_values(a, a[:10])


def _per_user(model, model_class, values, seed=1):
    return pd.DataFrame({"dataset": "d", "backbone": "sasrec", "model": model, "model_class": model_class,
                         "seed": seed, "user": [f"u{i}" for i in range(len(values))], "ndcg@10": values})


def test_best_generalist_against_each_reference_class():
    rng = np.random.default_rng(1)
    base = rng.random(100)
    frame = pd.concat([
        _per_user("mpnet-base", "generalist-encoder", base + 0.2),
        _per_user("minilm-l6", "generalist-encoder", base + 0.1),
        _per_user("tfidf-svd", "lexical", base),
        _per_user("id", "id", base + 0.2 + 0.01 * rng.standard_normal(100)),
        _per_user("popularity", "baseline", base * 0),  # not a reference class
    ])
    table = compare_best_generalist(frame, ("ndcg@10",), ("dataset", "backbone")).set_index("reference")
    assert set(table.index) == {"tfidf-svd", "id"}
    assert (table["model"] == "mpnet-base").all()
    assert table.loc["tfidf-svd", "p_wilcoxon"] < 1e-10 and table.loc["id", "p_ttest"] > 1e-3
    assert table.loc["tfidf-svd", "users"] == 100
    assert (table["p_wilcoxon_holm"] >= table["p_wilcoxon"]).all()
    assert table.loc["tfidf-svd", "mean"] - table.loc["tfidf-svd", "reference_mean"] == pytest.approx(0.2)


def test_seeds_are_averaged_per_user_before_pairing():
    values = np.linspace(0, 1, 20)
    frame = pd.concat([
        _per_user("mpnet-base", "generalist-encoder", values + 0.3, seed=1),
        _per_user("mpnet-base", "generalist-encoder", values - 0.1, seed=2),  # mean over seeds: values + 0.1
        _per_user("tfidf-svd", "lexical", values),
    ])
    row = compare_best_generalist(frame, ("ndcg@10",), ("dataset",)).iloc[0]
    assert row["mean"] - row["reference_mean"] == pytest.approx(0.1)
    assert row["p_ttest"] == 0.0  # a constant per-user difference


def test_best_against_each_class_picks_the_leaders_and_breaks_ties_by_name():
    from gtebench.significance import best_against_each_class

    means = {"gte-a": 0.30, "gte-b": 0.30, "blair": 0.25, "blair-large": 0.28, "bm25": 0.10, "id": 0.40}
    classes = {"gte-a": "generalist-encoder", "gte-b": "generalist-decoder", "blair": "specialised",
               "blair-large": "specialised", "bm25": "lexical", "id": "id"}
    # gte-a and gte-b tie: the first by name leads; one pair per reference class present, in REFERENCE_CLASSES order
    assert best_against_each_class(means, classes) == [
        ("gte-a", "specialised", "blair-large"), ("gte-a", "lexical", "bm25"), ("gte-a", "id", "id")]
    assert best_against_each_class({"bm25": 0.1}, {"bm25": "lexical"}) == []  # no generalist, nothing to test


def per_user(values_by_model: dict[str, list[float]], seed: int = 1) -> pd.DataFrame:
    return pd.DataFrame([{"dataset": "d", "backbone": "b", "variant": "text", "model": model, "seed": seed,
                          "user": str(user), "ndcg@10": value}
                         for model, values in values_by_model.items() for user, value in enumerate(values)])


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_users():
    rng = np.random.default_rng(3)
    few, many = rng.random(30).tolist(), rng.random(3000).tolist()
    frame = bootstrap_intervals(per_user({"few": few, "many": many, "flat": [0.2] * 10}), ("ndcg@10",),
                                ("dataset", "backbone"))
    rows = frame.set_index("model")
    assert rows.loc["flat", ["mean", "low", "high"]].tolist() == [0.2, 0.2, 0.2]  # nothing to resample
    for model, values in (("few", few), ("many", many)):
        low, mean, high = rows.loc[model, ["low", "mean", "high"]]
        assert low < mean < high and mean == pytest.approx(np.mean(values))
        # a 95% interval of a mean is about 2 x 1.96 standard errors wide (the bootstrap's own noise aside)
        assert high - low == pytest.approx(2 * 1.96 * np.std(values) / np.sqrt(len(values)), rel=0.2)
    assert rows.loc["many", "high"] - rows.loc["many", "low"] < (rows.loc["few", "high"] - rows.loc["few", "low"]) / 5
    assert rows.loc["many", "units"] == 3000 and rows.loc["many", "seeds"] == 1
    again = bootstrap_intervals(per_user({"few": few, "many": many, "flat": [0.2] * 10}), ("ndcg@10",),
                                ("dataset", "backbone"))
    pd.testing.assert_frame_equal(frame, again)  # seeded: the file regenerates exactly


def test_bootstrap_averages_seeds_per_user_and_refuses_bad_input():
    two_seeds = pd.concat([per_user({"m": [0.0, 1.0]}, seed=1), per_user({"m": [1.0, 0.0]}, seed=2)])
    row = bootstrap_intervals(two_seeds, ("ndcg@10",), ("dataset", "backbone")).iloc[0]
    assert (row["low"], row["mean"], row["high"], row["units"], row["seeds"]) == (0.5, 0.5, 0.5, 2, 2)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_intervals(two_seeds, ("ndcg@10",), ("dataset",), confidence=95)
    with pytest.raises(ValueError, match="lacks columns.*qid"):
        bootstrap_intervals(two_seeds, ("ndcg@10",), ("dataset",), unit="qid")
