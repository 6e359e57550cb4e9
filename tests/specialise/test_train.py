"""Training a specialised encoder on the real Trainer with the offline MiniLM, at a tiny size: it learns (positive
loss, changed weights), is seeded, resumes after a kill to the same weights, names its folder by every input, and
encodes through the registry and the embedding cache like any encoder."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from safetensors.torch import load_file

from gtebench.encoders import cache as embedding_cache
from gtebench.encoders.offline import resolve_model_path
from gtebench.encoders.registry import get_encoder
from gtebench.encoders.weights import weights_id
from gtebench.specialise import RECIPES, parse_key
from gtebench.specialise import train as specialise_train
from gtebench.specialise.pairs import Pairs

from .conftest import PAIRS

pytestmark = pytest.mark.slow
def _weights(folder):
    return load_file(str(folder / "model.safetensors"))


def _max_difference(a, b):
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def test_training_learns_is_seeded_and_encodes_as_an_encoder_key(tiny, monkeypatch, tmp_path):
    folder = specialise_train.specialise(tiny, progress=False)
    manifest = json.loads((folder / specialise_train.MANIFEST).read_text())
    assert manifest["steps"] == 4 and manifest["pairs"] == 16 and manifest["seed"] == 2020
    assert manifest["train_loss"] > 0.01  # in-batch negatives: a batch of one pair gives exactly 0
    assert manifest["recipe"]["temperature"] == 0.05 and manifest["base"] == "minilm-l6"
    assert len(manifest["pairs_sha256"]) == 64 and "sentence-transformers" in manifest["versions"]
    base, trained = _weights(Path(resolve_model_path(get_encoder("minilm-l6")))), _weights(folder)
    shared = set(trained) & set(base)  # the packaged file also keeps a position_ids buffer
    assert len(shared) > 100 and _max_difference({k: base[k] for k in shared}, {k: trained[k] for k in shared}) > 0
    # the same inputs in another home train the same weights; another seed trains other weights in another folder
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "other-home"))
    specialise_train.specialise.cache_clear()
    again = specialise_train.specialise(tiny, progress=False)
    assert again.name == folder.name and _max_difference(_weights(again), trained) == 0.0
    seeded = specialise_train.specialise(tiny + "~7", progress=False)
    assert seeded.name != folder.name and _max_difference(_weights(seeded), trained) > 0
    # as an encoder key: the fine-tuned weights through the engine, cached under a key naming the folder
    spec = get_encoder(tiny)
    assert weights_id(spec) == f"specialised-{again.name}"
    texts = pd.Series(["a lamp for reading", "a tent for camping"], index=["1", "2"])
    result = embedding_cache.embed(tiny, texts, dataset="toy", recipe_hash="r", role="item", show_progress=False)
    assert result.vectors.shape == (2, spec.dim) and np.allclose(np.linalg.norm(result.vectors, axis=1), 1, atol=1e-5)
    base = embedding_cache.embed("minilm-l6", texts, dataset="toy", recipe_hash="r", role="item", show_progress=False)
    assert not np.allclose(result.vectors, base.vectors, atol=1e-4)


def test_a_killed_training_resumes_to_the_uninterrupted_weights(tiny, monkeypatch, tmp_path):
    import transformers

    uninterrupted = _weights(specialise_train.specialise(tiny, progress=False))
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "killed-home"))
    specialise_train.specialise.cache_clear()
    real_step, calls = transformers.Trainer.training_step, []

    def dies_at_step_4(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt("killed during step 4")
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(transformers.Trainer, "training_step", dies_at_step_4)
    with pytest.raises(KeyboardInterrupt):
        specialise_train.specialise(tiny, progress=False)
    partial = next((tmp_path / "killed-home" / "specialised").glob("*.partial"))
    checkpoint, = [p.name for p in partial.glob("checkpoint-*")]  # the last one kept (save_total_limit=1)
    assert int(checkpoint.split("-")[1]) == 3  # steps 1-3 finished, each saved (4 steps // 4 per epoch)
    assert [p.suffix for p in partial.parent.iterdir()] == [".partial"]  # no half-written model in place
    monkeypatch.setattr(transformers.Trainer, "training_step", real_step)
    specialise_train.specialise.cache_clear()
    resumed = specialise_train.specialise(tiny, progress=False)
    assert json.loads((resumed / specialise_train.MANIFEST).read_text())["resumed_from"].endswith(checkpoint)
    assert _max_difference(_weights(resumed), uninterrupted) == 0.0 and not partial.exists()


def test_the_folder_name_changes_with_every_input(tiny):
    parsed = parse_key(tiny)
    name = specialise_train.model_folder(parsed, "a" * 64).name
    assert specialise_train.model_folder(parsed, "b" * 64).name != name  # other pairs
    other_recipe = parse_key(tiny).__class__(parsed.base, RECIPES["blair-reviews"], parsed.seed)
    assert specialise_train.model_folder(other_recipe, "a" * 64).name != name
    other_base = parsed.__class__("mpnet-base", parsed.recipe, parsed.seed)
    assert specialise_train.model_folder(other_base, "a" * 64).name != name
    assert specialise_train.model_folder(parsed.__class__(parsed.base, parsed.recipe, 1), "a" * 64).name != name
    relabelled = replace(parsed.recipe, description="another description", in_domain=("ml-100k",))
    assert specialise_train.model_folder(parsed.__class__(parsed.base, relabelled, parsed.seed), "a" * 64).name == name


def test_too_few_pairs_for_a_batch_is_an_error(tiny, monkeypatch):
    monkeypatch.setattr(specialise_train.pair_builders, "pairs_file",
                        lambda path: Pairs(pd.DataFrame(PAIRS[:3], columns=["anchor", "positive"]), {"pairs": 3}))
    with pytest.raises(ValueError, match="3 pairs, fewer than one batch"):
        specialise_train.specialise(tiny, progress=False)
