import json
import math

import numpy as np
import pandas as pd
import pytest

from gtebench.analysis import (
    MEASURES,
    AnalysisError,
    analyse,
    effective_rank,
    embedding_measures,
    isoscore,
    mean_pairwise_cosine,
    measure_info,
    read_spectrum,
    write_analysis,
)
from gtebench.results import read_results
from gtebench.tables import analysis_table, describe_analysis


def axis_cross(variances, offset=3.0):
    """Points +-sqrt(v_i) e_i: a diagonal covariance whose eigenvalues are exactly 2 v_i / (2D - 1)."""
    axes = np.diag(np.sqrt(variances))
    return np.vstack([axes, -axes]) + offset


def test_known_spectrum_gives_known_d_alpha_and_effective_rank():
    # Ratios 0.5, 0.25, 0.125, 0.0625, 0.0625: cumulative 0.5, 0.75, 0.875, 0.9375, 1.0.
    variances = np.array([8.0, 4.0, 2.0, 1.0, 1.0])
    measures, spectrum, fitted = embedding_measures(axis_cross(variances))
    assert np.allclose(fitted.eigenvalues, 2 * variances / 9)
    assert measures["dim"] == 5 and measures["d80"] == 3 and measures["d95"] == 5
    p = variances / variances.sum()
    assert measures["effective_rank"] == pytest.approx(math.exp(-(p * np.log(p)).sum()))
    assert measures["effective_rank"] == pytest.approx(2 ** (0.5 + 0.5 + 0.375 + 0.25 + 0.25))  # entropy in bits
    assert np.allclose(spectrum["cumulative"], [0.5, 0.75, 0.875, 0.9375, 1.0])


def test_effective_rank_ends_and_zero_eigenvalues():
    assert effective_rank(np.ones(7)) == pytest.approx(7.0)
    assert effective_rank([3.0, 0.0, 0.0]) == pytest.approx(1.0)  # 0 log 0 = 0, no NaN
    assert effective_rank([1.0, 1.0, 0.0, 0.0]) == pytest.approx(2.0)


def test_isoscore_by_hand_and_at_its_ends():
    # Two dims, variances (1, 0): normalised (sqrt 2, 0); defect = |(sqrt2 - 1, -1)| / sqrt(2 (2 - sqrt2)) = 1.
    assert isoscore([1.0, 0.0]) == pytest.approx({"isoscore": 0.0, "isotropy_defect": 1.0, "fraction_dims_used": 0.5})
    isotropic = {"isoscore": 1.0, "isotropy_defect": 0.0, "fraction_dims_used": 1.0}
    assert isoscore(np.full(10, 0.3)) == pytest.approx(isotropic)
    # Variance spread evenly over 5 of 10 dims uses half of them.
    assert isoscore([1.0] * 5 + [0.0] * 5)["fraction_dims_used"] == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    gaussian, _, _ = embedding_measures(rng.normal(size=(20_000, 16)))
    assert gaussian["isoscore"] > 0.98
    line = np.outer(rng.normal(size=500), rng.normal(size=12)) + 5.0  # a rank-1 cloud
    rank_one, _, _ = embedding_measures(line)
    assert rank_one["isoscore"] < 1e-6 and rank_one["d80"] == 1 and rank_one["effective_rank"] < 1 + 1e-6


def test_isoscore_matches_the_reference_package():
    from IsoScore.IsoScore import IsoScore as reference  # the authors' package (a dev dependency)

    rng = np.random.default_rng(3)
    for cloud in (rng.normal(size=(400, 9)) @ np.diag(np.linspace(0.2, 4, 9)) + 2,
                  rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))):
        measures, _, _ = embedding_measures(cloud)
        # The package computes its normalising constants in float32 (torch.sqrt of an integer tensor).
        assert measures["isoscore"] == pytest.approx(float(reference(cloud)), rel=1e-6)


def test_mean_pairwise_cosine_on_hand_vectors():
    vectors = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])  # cosines 0, 1/sqrt2, 1/sqrt2
    assert mean_pairwise_cosine(vectors) == pytest.approx(math.sqrt(2) / 3)
    assert mean_pairwise_cosine(vectors, block=1) == pytest.approx(math.sqrt(2) / 3)  # blocks change nothing
    assert mean_pairwise_cosine(np.array([[1.0, 0.0], [-2.0, 0.0]])) == pytest.approx(-1.0)
    rng = np.random.default_rng(1)
    cloud = rng.normal(size=(50, 4)) + 1.0
    unit = cloud / np.linalg.norm(cloud, axis=1, keepdims=True)
    cos = unit @ unit.T
    assert mean_pairwise_cosine(cloud, block=7) == pytest.approx(cos[~np.eye(50, dtype=bool)].mean())


def test_bad_input_is_a_clear_error():
    with pytest.raises(AnalysisError, match="at least 2 rows"):
        embedding_measures(np.ones((1, 4)))
    with pytest.raises(AnalysisError, match="at least 2 rows"):
        embedding_measures(np.ones(4))
    nan = np.random.default_rng(0).normal(size=(5, 3))
    nan[3, 1] = np.nan
    with pytest.raises(AnalysisError, match=r"NaN or inf, e.g. rows \[3\]"):
        embedding_measures(nan)
    for alphas in ([0.0], [1.2], [-0.5, 0.8], []):
        with pytest.raises(AnalysisError, match=r"alphas must be in \(0, 1\]"):
            embedding_measures(np.eye(3), alphas=alphas)
    with pytest.raises(AnalysisError, match=r"all-zero row.*rows \[1\]"):
        mean_pairwise_cosine(np.array([[1.0, 2.0], [0.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(AnalysisError, match="no spread"):
        isoscore([0.0, 0.0])
    with pytest.raises(AnalysisError, match="below 0"):
        effective_rank([1.0, -0.5])
    with pytest.raises(AnalysisError, match="unknown measure"):
        measure_info("bogus")


def test_alpha_one_needs_every_direction_with_variance():
    measures, _, _ = embedding_measures(axis_cross([4.0, 1.0, 0.0]), alphas=[0.5, 1.0])
    assert measures["d50"] == 1 and measures["d100"] == 2  # the zero-variance axis is never needed
    assert measure_info("d50") == ("d(0.50)", "paper")


def test_measures_are_labelled_paper_or_addition():
    assert {source for _, source in MEASURES.values()} == {"paper", "addition"}
    assert MEASURES["d80"][1] == MEASURES["d95"][1] == "paper"
    assert all(MEASURES[m][1] == "addition" for m in ("isoscore", "effective_rank", "mean_cosine"))


def test_analyse_writes_tidy_rows_and_a_spectrum(tmp_path):
    """End to end on a custom dataset with the TF-IDF encoder: no weights, seconds."""
    folder = tmp_path / "shop"
    folder.mkdir()
    words = ["red", "blue", "green", "shoe", "lamp", "chair", "desk", "mug", "pen", "book", "cable", "phone"]
    rng = np.random.default_rng(0)
    items = [{"item_id": f"i{k}", "title": " ".join(rng.choice(words, 4))} for k in range(40)]
    pd.DataFrame(items).to_csv(folder / "items.csv", index=False)
    rows = [{"user_id": f"u{u}", "item_id": f"i{(u * 7 + t) % 40}", "timestamp": t}
            for u in range(12) for t in range(6)]
    pd.DataFrame(rows).to_csv(folder / "interactions.csv", index=False)
    dataset = f"custom:{folder}"
    analysis = analyse([dataset], ["tfidf-svd"], profile="test")
    measures_path, spectrum_path = write_analysis(analysis, tmp_path / "analysis.csv", tmp_path / "spectrum.csv")
    frame = read_results(measures_path)
    assert set(frame["task"]) == {"embedding"} and set(frame["model_class"]) == {"lexical"}
    assert set(frame["metric"]) == set(MEASURES)
    sources = {m: json.loads(c)["source"] for m, c in zip(frame["metric"], frame["config"])}
    assert sources["d80"] == "paper" and sources["isoscore"] == "addition"
    spectrum = read_spectrum(spectrum_path)
    dim = int(frame.loc[frame["metric"] == "dim", "value"].iloc[0])
    assert len(spectrum) == dim == 256 and spectrum["cumulative"].is_monotonic_increasing
    d80 = frame.loc[frame["metric"] == "d80", "value"].iloc[0]
    assert spectrum["cumulative"].iloc[int(d80) - 1] >= 0.8 > spectrum["cumulative"].iloc[int(d80) - 2]
    table = analysis_table(frame)
    assert ("paper", "d(0.80)") in table.columns and ("addition", "IsoScore") in table.columns
    assert "TF-IDF + SVD" in describe_analysis(frame)
