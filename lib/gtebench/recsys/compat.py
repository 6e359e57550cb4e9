"""Every fix that RecBole 1.2.1 needs on numpy 2, pandas 3, torch >= 2.6 and setuptools >= 81, in one place.

Call `apply()` before importing anything from recbole (the `recsys` package does it on import). Each fix is
idempotent and has its own test in tests/recsys/test_compat.py. Why each one exists:

1. numpy 2 removed np.float_, np.complex_ and np.unicode_; RecBole's Config.compatibility_settings() reads them
   to re-create np.float/np.bool/np.long, which its evaluator and layers still use.
2. torch >= 2.6 loads checkpoints with weights_only=True; RecBole's checkpoints pickle their Config, so
   `evaluate(load_best_model=True)` fails. The checkpoints are our own files, so the full unpickler is safe.
3. recbole.quick_start imports ray.tune at module level, and ray 2.6.3 imports pkg_resources, which
   setuptools >= 81 no longer ships. We never use ray; a stub lets quick_start import.
4. Importing recbole's sequential models runs `torch.autograd.set_detect_anomaly(True)` (sine.py) for the
   whole process: every backward pass then checks for NaN and records stack traces, ~1.8x slower training.
5. pandas 3 changed `Series.agg(len)` from element-wise to a whole-series reduction. RecBole uses the element-wise
   form in six places (remapping token sequences, benchmark presets' item_length, normalisation, discretisation):
   a crash in the best case, silently wrong sequence lengths in the worst. Copying six RecBole methods would be
   the fragile fix; pinning pandas<3 (pyproject.toml) is the clean one, so this module only refuses pandas 3.
"""

from __future__ import annotations

import os
import sys
import types
import warnings

import numpy as np


def _numpy_aliases() -> None:
    for name, target in (("float_", np.float64), ("complex_", np.complex128), ("unicode_", np.str_)):
        try:
            getattr(np, name)
        except AttributeError:
            setattr(np, name, target)
    # RecBole sets these itself when a Config is built; models built without a Config need them too.
    for name, target in (("float", float), ("int", int), ("bool", bool), ("long", np.int64)):
        if name not in np.__dict__:
            setattr(np, name, target)


def _torch_full_unpickler() -> None:
    import warnings

    os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    # torch warns at every RecBole checkpoint load that the variable is set; we set it, for our own checkpoints
    warnings.filterwarnings("ignore", message="Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected")


def _ray_stub() -> None:
    if "ray" in sys.modules and hasattr(sys.modules["ray"], "__gtebench_stub__"):
        return
    try:
        import ray  # noqa: F401
        import ray.tune  # noqa: F401
        return
    except Exception:  # ModuleNotFoundError: pkg_resources, or ray not installed at all
        for name in [n for n in sys.modules if n == "ray" or n.startswith("ray.")]:
            del sys.modules[name]

    def _report(*_args, **_kwargs):
        raise RuntimeError("ray is stubbed by gtebench.recsys.compat: RecBole's ray-tune hyper-search is unavailable")

    ray = types.ModuleType("ray")
    ray.__gtebench_stub__ = True
    tune = types.ModuleType("ray.tune")
    tune.report = _report
    ray.tune = tune
    sys.modules["ray"] = ray
    sys.modules["ray.tune"] = tune


def _require_pandas_2() -> None:
    import pandas as pd

    if int(pd.__version__.split(".")[0]) >= 3:
        raise RuntimeError(
            f"pandas {pd.__version__} is installed, but RecBole 1.2.1 needs pandas 2 (Series.agg(len) element-wise); "
            "install the project's pins: pip install 'pandas>=2.2,<3' (or run `make setup`)"
        )


def _anomaly_detection_off() -> None:
    import recbole.model.sequential_recommender  # noqa: F401  (runs sine.py's set_detect_anomaly(True) once)
    import torch

    torch.autograd.set_detect_anomaly(False)


def _quiet_known_warnings() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"recbole\..*")
    warnings.filterwarnings("ignore", message=r".*ChainedAssignment.*")
    warnings.filterwarnings("ignore", message=r".*torch\.cuda\.amp\.GradScaler.*")
    warnings.filterwarnings("ignore", message=r".*non-writable.*")


def apply() -> None:
    """Apply every fix (idempotent). Must run before the first recbole import."""
    _numpy_aliases()
    _torch_full_unpickler()
    _ray_stub()
    _quiet_known_warnings()
    _require_pandas_2()
    _anomaly_detection_off()
