"""GPU-hour estimates: hand-computed encoding cost, training cost, and clear errors."""

import pytest

from gtebench import estimate as est


def test_parameter_labels():
    assert est.parameter_count("22M") == 22e6
    assert est.parameter_count("1.5B") == 1.5e9
    assert est.parameter_count("-") == 0 and est.parameter_count("?") == 0


def test_encoding_and_training_hours_hand_computed():
    # 2 FLOPs x 0.5e9 parameters x 1e6 texts x 100 tokens at 30% of 989 TFLOP/s
    expected = 2 * 0.5e9 * 1e6 * 100 / (989e12 * 0.30) / 3600
    assert est.encoding_hours("kalm", 1_000_000, 100) == pytest.approx(expected)
    assert est.encoding_hours("text-embedding-3-large", 1_000_000, 100) == 0  # an API: no GPU time
    assert est.training_hours(20_000, runs=3) == pytest.approx(40 * 3 / 3600)


def test_estimate_sums_cells_and_names_unknown_datasets():
    estimate = est.estimate(sr={"datasets": ["amazon2023/All_Beauty"], "encoders": ["kalm"], "runs_per_dataset": 2},
                            search={"datasets": ["esci"], "encoders": ["blair-base"]})
    assert set(estimate.encoding) == {("amazon2023/All_Beauty", "kalm"), ("esci", "blair-base")}
    assert estimate.total == pytest.approx(sum(estimate.encoding.values()) + estimate.training["amazon2023/All_Beauty"])
    assert "Estimated GPU time" in estimate.report() and "esci" in estimate.report()
    with pytest.raises(KeyError, match="known"):
        est.estimate(sr={"datasets": ["ml-1m"], "encoders": []})
