"""One test per RecBole compatibility fix (gtebench.recsys.compat)."""

import os
import sys

import numpy as np
import pytest

import gtebench.recsys  # noqa: F401  (applies the fixes)
from gtebench.recsys import compat


def test_numpy_2_aliases_recbole_reads():
    assert np.float_ is np.float64 and np.complex_ is np.complex128 and np.unicode_ is np.str_
    from recbole.config import Config  # noqa: F401
    from recbole.evaluator import metrics  # noqa: F401  (uses np.float at import in some versions)


def test_recbole_checkpoints_load_with_torch_2_6_plus():
    assert os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] == "1"


def test_quick_start_imports_despite_ray_without_pkg_resources():
    from recbole.quick_start import run_recbole  # noqa: F401

    ray = sys.modules["ray"]
    if getattr(ray, "__gtebench_stub__", False):
        with pytest.raises(RuntimeError, match="stubbed"):
            ray.tune.report()


def test_anomaly_detection_is_off_after_importing_recbole_models():
    import torch
    from recbole.model.sequential_recommender import SASRec  # noqa: F401  (imports sine.py)

    assert not torch.is_anomaly_enabled()


def test_pandas_3_is_refused_with_the_fix(monkeypatch):
    import pandas as pd

    monkeypatch.setattr(pd, "__version__", "3.0.0")
    with pytest.raises(RuntimeError, match=r"pandas>=2.2,<3"):
        compat.apply()


def test_recbole_token_sequence_lengths_are_element_wise():
    """What pandas 3 broke: RecBole's Series.agg(len) must give one length per sequence."""
    import pandas as pd

    series = pd.Series([np.array([1, 2, 3]), np.array([4])])
    assert list(series.agg(len)) == [3, 1]
