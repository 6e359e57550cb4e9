"""Building a run: the PCA-compressed item table."""

import numpy as np
import pytest

from gtebench.profiles import get_training_profile
from gtebench.recsys.backbones import BackboneError
from gtebench.recsys.run import RunSpec, compressed_item_vectors


def test_pca_compressed_item_table_keeps_rows_and_reaches_alpha():
    rng = np.random.default_rng(0)
    vectors = (rng.standard_normal((500, 32)) * np.linspace(3, 0.1, 32)).astype(np.float32)
    same, dim = compressed_item_vectors(vectors, None)
    assert same is vectors and dim == 32
    compressed, dim = compressed_item_vectors(vectors, 0.8)
    assert compressed.shape == (500, dim) and 1 < dim < 32
    kept = compressed.var(axis=0).sum() / (vectors - vectors.mean(0)).var(axis=0).sum()
    assert 0.8 <= kept < 0.9  # the fewest directions that explain 80% of the variance
    with pytest.raises(BackboneError, match="text variants only"):
        RunSpec("ml-100k", "sasrec", "id", None, 1, get_training_profile("default"), 0.8)
