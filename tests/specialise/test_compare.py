"""The comparison against the base generalist, on toy per-user values computed by hand."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gtebench.specialise.compare import against_base, describe_specialisation, title_table


def _frame():
    # users 1-4; base scores 0.1 0.2 0.3 0.4 (one seed); "spec" two seeds averaging to base + 0.1, 0.1, 0.2, 0.2
    rows = [("sr", "toy", "base", 1, u, v) for u, v in zip("1234", (0.1, 0.2, 0.3, 0.4))]
    rows += [("sr", "toy", "spec", s, u, v + d) for s in (1, 2) for u, v, d in
             zip("1234", (0.1, 0.2, 0.3, 0.4), (0.1, 0.1, 0.2, 0.2))]
    rows += [("sr", "toy", "tfidf", 1, u, v) for u, v in zip("123", (0.0, 0.2, 0.3))]  # user 4 not evaluated
    return pd.DataFrame(rows, columns=["task", "dataset", "model", "seed", "user", "ndcg@10"])


def test_each_model_is_paired_with_the_base_on_shared_users():
    result = against_base(_frame(), "ndcg@10", "base").set_index("model")
    spec, tfidf = result.loc["spec"], result.loc["tfidf"]
    assert spec["mean"] == pytest.approx(0.4) and spec["base_mean"] == pytest.approx(0.25)
    assert spec["delta"] == pytest.approx(0.15) and spec["units"] == 4
    assert tfidf["units"] == 3 and tfidf["base_mean"] == pytest.approx(0.2)  # user 4 left out of both sides
    t = stats.ttest_rel([0.2, 0.3, 0.5, 0.6], [0.1, 0.2, 0.3, 0.4]).pvalue
    assert spec["p_ttest"] == pytest.approx(t)
    ps = sorted([spec["p_wilcoxon"], tfidf["p_wilcoxon"]])  # Holm over the two comparisons of the group
    holm = sorted([spec["p_wilcoxon_holm"], tfidf["p_wilcoxon_holm"]])
    assert holm[0] == pytest.approx(min(1, 2 * ps[0])) and holm[1] == pytest.approx(max(holm[0], min(1, ps[1])))


def test_the_title_table_marks_domains_and_significance():
    comparisons = against_base(_frame(), "ndcg@10", "base")
    table = title_table(comparisons, {"next-item": {"toy"}, "blair-reviews": {"other"}}).iloc[0]
    assert table["in-domain for"] == "next-item" and table["base"] == "25.00"
    p = comparisons.set_index("model").loc["spec", "p_wilcoxon_holm"]
    assert table["spec"] == f"40.00 (+15.00, p={p:.3f}{'*' if p < 0.05 else ''})"


def test_a_missing_base_or_column_is_an_error():
    with pytest.raises(ValueError, match="base model 'minilm' has no values"):
        against_base(_frame(), "ndcg@10", "minilm")
    with pytest.raises(ValueError, match=r"lacks columns \['qid'\]"):
        against_base(_frame(), "ndcg@10", "base", unit="qid")
    assert np.isfinite(against_base(_frame(), "ndcg@10", "base")["p_wilcoxon"]).all()


def test_the_reading_counts_cells_in_and_out_of_domain():
    frame = _frame().replace({"model": {"spec": "specialised:minilm-l6@next-item"}})
    frame = pd.concat([frame, frame.assign(dataset="far")], ignore_index=True)
    comparisons = against_base(frame, "ndcg@10", "base")
    text = describe_specialisation(comparisons, {"next-item": {"toy"}})
    p = comparisons.set_index(["model", "dataset"]).loc[("specialised:minilm-l6@next-item", "toy"), "p_wilcoxon_holm"]
    verdict = "better in 1, worse in 0, indistinguishable in 0" if p < 0.05 else \
        "better in 0, worse in 0, indistinguishable in 1"
    assert f"in-domain: {verdict} of 1 cells (mean change +15.00 points)" in text
    assert "out-of-domain:" in text and "tfidf" not in text
