"""RunSpec: validation, the run ids and folders finished runs are found by, and the RecBole settings of a run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gtebench import paths
from gtebench.profiles import get_training_profile
from gtebench.recsys.backbones import BackboneError
from gtebench.recsys.run import RUNNER_VERSION, RunSpec, recbole_config_dict

# Run ids and folders as the code gave them when runs were first recorded under RUNNER_VERSION 3. A change here
# renames every finished run, so a batch would train everything again: only on purpose, with a version bump.
PINNED = [
    (("ml-100k", "sasrec", "text", "minilm-l6", 2020, "default", None), "0669a8df4904ad85",
     "runs/ml-100k/default/sasrec-text-minilm-l6-s2020-0669a8df4904ad85"),
    (("ml-100k", "sasrec", "id", None, 2020, "default", None), "efcdaa189c38dc55",
     "runs/ml-100k/default/sasrec-id-id-s2020-efcdaa189c38dc55"),
    (("ml-100k", "sasrec", "text", "minilm-l6", 2020, "default", 0.8), "e0cd31ccf73803fa",
     "runs/ml-100k/default/sasrec-text-pca80-minilm-l6-s2020-e0cd31ccf73803fa"),
    (("ml-100k", "popularity", "id", None, 2020, "default", None), "1419ea529bb8aca9",
     "runs/ml-100k/default/popularity-id-popularity-s2020-1419ea529bb8aca9"),
    (("ml-100k", "unisrec", "text", "hf:BAAI/bge-small-en-v1.5", 3, "paper", None), "76456196649958b7",
     "runs/ml-100k/paper/unisrec-text-hf_BAAI_bge-small-en-v1.5-s3-76456196649958b7"),
]


@pytest.mark.parametrize("fields,run_id,run_dir", PINNED, ids=[p[1] for p in PINNED])
def test_run_ids_and_folders_are_pinned(fields, run_id, run_dir):
    dataset, backbone, variant, encoder, seed, profile, pca_alpha = fields
    spec = RunSpec(dataset, backbone, variant, encoder, seed, get_training_profile(profile), pca_alpha)
    assert RUNNER_VERSION == 3
    assert spec.run_id == run_id
    assert spec.run_dir() == paths.home() / run_dir


def test_run_spec_validation():
    profile = get_training_profile("default")
    with pytest.raises(BackboneError, match="needs an encoder"):
        RunSpec("ml-100k", "sasrec", "text", None, 1, profile)
    with pytest.raises(BackboneError, match="takes no encoder"):
        RunSpec("ml-100k", "sasrec", "id", "minilm-l6", 1, profile)
    with pytest.raises(BackboneError, match="Did you mean"):
        RunSpec("ml-100k", "sasrek", "id", None, 1, profile)
    with pytest.raises(BackboneError, match="text variants only"):
        RunSpec("ml-100k", "sasrec", "id", None, 1, profile, 0.8)


def test_run_id_ignores_other_backbones_overrides_only():
    profile = get_training_profile("default")
    spec = RunSpec("ml-100k", "sasrec", "id", None, 1, profile)
    overrides = profile.backbone_overrides
    other_backbone = profile.with_overrides(backbone_overrides={**overrides, "gru4rec": {"id": {"hidden_size": 32}}})
    own_backbone = profile.with_overrides(backbone_overrides={**overrides, "sasrec": {"id": {"hidden_size": 32}}})
    assert RunSpec("ml-100k", "sasrec", "id", None, 1, other_backbone).run_id == spec.run_id
    assert RunSpec("ml-100k", "sasrec", "id", None, 1, own_backbone).run_id != spec.run_id
    assert RunSpec("ml-100k", "sasrec", "id", None, 2, profile).run_id != spec.run_id


def test_recbole_settings_of_a_default_text_run_are_pinned():
    spec = RunSpec("ml-100k", "sasrec", "text", "minilm-l6", 2020, get_training_profile("default"))
    config = recbole_config_dict(spec, Path("/data"), Path("/run"))
    assert isinstance(config.pop("use_gpu"), bool)  # whether this machine has CUDA
    assert list(config.items()) == list({
        "data_path": "/data", "benchmark_filename": ["train", "valid", "test"],
        "load_col": {"inter": ["user_id", "item_id_list", "item_id"]}, "alias_of_item_id": ["item_id_list"],
        "USER_ID_FIELD": "user_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": None, "RATING_FIELD": None,
        "MAX_ITEM_LIST_LENGTH": 20, "train_neg_sample_args": None,
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user", "mode": "full"},
        "metrics": ["Recall", "NDCG"], "topk": [10, 50], "valid_metric": "NDCG@10", "epochs": 200,
        "stopping_step": 5, "train_batch_size": 256, "eval_batch_size": 2048, "learning_rate": 0.001,
        "learner": "adam", "seed": 2020, "reproducibility": True, "enable_amp": False, "checkpoint_dir": "/run",
        "show_progress": False, "log_wandb": False, "save_dataset": False, "save_dataloaders": False,
        "n_layers": 2, "n_heads": 2, "inner_size": 256, "hidden_dropout_prob": 0.5, "attn_dropout_prob": 0.5,
        "hidden_act": "gelu", "layer_norm_eps": 1e-12, "initializer_range": 0.02, "loss_type": "CE",
        "hidden_size": 64, "adaptor_hidden": [300], "adaptor_dropout": 0.2,
        "adaptor_per_position": False,  # the backbone's True, overridden by the profile's backbone_overrides
    }.items())


def test_settings_layer_fixed_and_profile_then_backbone_then_backbone_overrides(monkeypatch):
    import dataclasses

    from gtebench.recsys.backbones import BACKBONES

    sasrec = BACKBONES["sasrec"]
    params = {**sasrec.id_params, "learning_rate": 0.5, "eval_batch_size": 7, "metrics": ["Hit"]}
    monkeypatch.setitem(BACKBONES, "sasrec", dataclasses.replace(sasrec, id_params=params))
    profile = get_training_profile("default")
    config = recbole_config_dict(RunSpec("ml-100k", "sasrec", "id", None, 1, profile), Path(), Path())
    assert (config["learning_rate"], config["eval_batch_size"], config["metrics"]) == (0.5, 7, ["Hit"])
    profile = profile.with_overrides(backbone_overrides={"sasrec": {"id": {"learning_rate": 0.01, "topk": [5]}}})
    config = recbole_config_dict(RunSpec("ml-100k", "sasrec", "id", None, 1, profile), Path(), Path())
    assert (config["learning_rate"], config["topk"], config["eval_batch_size"]) == (0.01, [5], 7)


def test_importing_the_run_package_applies_the_recbole_fixes():
    code = ("import os, torch, gtebench.recsys.run; "
            "assert os.environ['TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'] == '1'; assert not torch.is_anomaly_enabled()")
    env = {k: v for k, v in os.environ.items() if k != "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
