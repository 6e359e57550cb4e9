import numpy as np
import pytest

from gtebench.encoders.pca import fit, sample_rows
from gtebench.encoders.registry import EncoderError


def rotated_cross(variances, offset=5.0, seed=0):
    """Points +-a_i on each axis (so the spectrum is exactly proportional to a_i^2), rotated and shifted."""
    dim = len(variances)
    axes = np.diag(np.sqrt(variances))
    points = np.vstack([axes, -axes])
    rotation, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(dim, dim)))
    return points @ rotation + offset, rotation


def test_a_hand_checkable_spectrum():
    items, rotation = rotated_cross([4.0, 3.0, 2.0, 1.0])
    pca = fit(items)
    assert np.allclose(pca.ratio, [0.4, 0.3, 0.2, 0.1])
    assert np.allclose(pca.eigenvalues, 2 * np.array([4.0, 3.0, 2.0, 1.0]) / (len(items) - 1))
    assert pca.effective_dim(0.80) == 3  # 0.4, 0.7, 0.9
    assert pca.effective_dim(0.95) == 4
    assert pca.effective_dim(0.40 - 1e-9) == 1
    assert np.allclose(np.abs(pca.components @ rotation.T), np.eye(4), atol=1e-8)  # directions = rotated axes
    assert pca.summary() == {"dim": 4, "sample_size": 8, "seed": 2020, "d80": 3, "d95": 4}
    spectrum = pca.spectrum()
    assert spectrum["component"].tolist() == [1, 2, 3, 4] and np.isclose(spectrum["cumulative"].iloc[-1], 1.0)


def test_matches_numpy_svd_of_the_centred_data():
    items = np.random.default_rng(1).normal(size=(60, 7)) @ np.diag([5, 4, 3, 2, 1, 0.5, 0.1]) + 3
    pca = fit(items)
    centred = items - items.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    assert np.allclose(pca.eigenvalues, s**2 / (len(items) - 1))
    assert np.allclose(np.abs(np.sum(pca.components * vt, axis=1)), 1.0)  # same directions up to sign
    projected = pca.project(items, 3)
    assert projected.dtype == np.float32
    assert np.allclose(np.abs(projected), np.abs(centred @ vt[:3].T), atol=1e-4)


def test_items_and_queries_are_centred_by_their_own_means():
    items = np.random.default_rng(2).normal(size=(40, 5))
    queries = np.random.default_rng(3).normal(size=(10, 5))
    pca = fit(items, sample_size=20)
    assert pca.sample_size == 20
    # A constant shift of the query set changes nothing: queries are centred by the query mean.
    assert np.allclose(pca.project(queries + 7.0, 2), pca.project(queries, 2), atol=1e-5)
    # Items use the full catalogue mean, not the mean of the 20-row sample the PCA was fitted on.
    expected = (items - items.mean(axis=0)) @ pca.components[:2].T
    assert np.allclose(pca.project(items, 2), expected, atol=1e-5)


def test_the_sample_is_seeded_and_capped():
    assert np.array_equal(sample_rows(10, size=20), np.arange(10))
    first, again, other = sample_rows(1000, 100, seed=1), sample_rows(1000, 100, seed=1), sample_rows(1000, 100, seed=2)
    assert len(first) == 100 == len(set(first)) and np.array_equal(first, again) and not np.array_equal(first, other)
    items = np.random.default_rng(4).normal(size=(300, 4))
    first, second = fit(items, sample_size=50, seed=1), fit(items, sample_size=50, seed=1)
    assert np.array_equal(first.eigenvalues, second.eigenvalues)
    assert np.allclose(fit(items, sample_size=300).eigenvalues, np.linalg.eigvalsh(np.cov(items.T))[::-1])


def test_bad_inputs_are_errors():
    pca = fit(np.random.default_rng(5).normal(size=(10, 3)))
    with pytest.raises(EncoderError, match="alpha"):
        pca.effective_dim(1.5)
    with pytest.raises(EncoderError, match="n_components"):
        pca.project(np.zeros((2, 3)), 4)
    with pytest.raises(EncoderError, match="at least 2 rows"):
        fit(np.zeros((1, 3)))
