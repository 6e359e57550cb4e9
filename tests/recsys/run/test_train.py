"""Short real trainings on a slice of MovieLens-100k: they must beat a random ranker by a clear margin, repeat with
the seed, be reused when finished and resume after their last epoch when killed."""

import math

import pandas as pd
import pytest
import torch

from gtebench.profiles import get_training_profile
from gtebench.recsys.backbones import BackboneError
from gtebench.recsys.run import (
    PER_USER_FILE,
    RESUME_FILE,
    ResumableTraining,
    RunSpec,
    build_recbole_data,
    records_to_frame,
    train_and_evaluate,
)
from gtebench.results import validate

SLICE = dict(max_users=300, max_epochs=3, stopping_step=2, parallel_runs=1)


def random_ndcg_at_10(n_items: int) -> float:
    """Expected NDCG@10 of a uniformly random ranking with one relevant item among n_items."""
    return sum(1 / math.log2(rank + 1) for rank in range(1, 11)) / n_items


@pytest.mark.slow
@pytest.mark.parametrize("backbone", ["sasrec", "gru4rec"])
@pytest.mark.parametrize("variant,encoder", [("id", None), ("text", "minilm-l6")])
def test_short_training_beats_a_random_ranker(backbone, variant, encoder):
    profile = get_training_profile("default").with_overrides(**SLICE)
    spec = RunSpec("ml-100k", backbone, variant, encoder, 7, profile)
    record = train_and_evaluate(spec)
    baseline = random_ndcg_at_10(1682)
    assert record["test"]["ndcg@10"] > 4 * baseline, record["test"]
    assert 1 <= record["epochs"] <= 3 and 0 <= record["best_epoch"] < record["epochs"]
    per_user = pd.read_csv(spec.run_dir() / PER_USER_FILE)
    assert per_user["user_token"].is_unique and len(per_user) == 300  # one row per test user of the slice
    for metric, value in record["test"].items():  # the record's test metrics are the per-user means
        assert per_user[metric].mean() == pytest.approx(value, abs=1e-12), metric
    assert train_and_evaluate(spec)["reused"] is True  # the record is found, not retrained
    (spec.run_dir() / PER_USER_FILE).unlink()
    assert "reused" not in train_and_evaluate(spec)  # a record without its per-user file is not finished
    frame = validate(records_to_frame([record]))
    assert len(frame) == 8  # 4 metrics x valid/test
    assert set(frame.metric) == {"recall@10", "recall@50", "ndcg@10", "ndcg@50"}


@pytest.mark.slow
def test_same_seed_same_metrics_and_no_reuse_across_embeddings():
    from gtebench.io import read_json, write_json

    profile = get_training_profile("default").with_overrides(max_users=60, max_epochs=2, parallel_runs=1)
    spec = RunSpec("ml-100k", "sasrec", "text", "tfidf-svd", 11, profile)
    first = train_and_evaluate(spec, reuse=False)
    second = train_and_evaluate(spec, reuse=False)
    assert first["test"] == second["test"] and first["valid_history"] == second["valid_history"]
    record_path = spec.run_dir() / "record.json"
    record = read_json(record_path)
    record["embedding"]["path"] = "/elsewhere/item-0000.npy"  # as if trained on other vectors
    write_json(record_path, record)
    assert "reused" not in train_and_evaluate(spec)  # trained again, not reused
    assert train_and_evaluate(spec)["reused"] is True


def test_popularity_is_evaluated_by_recbole_and_ranks_by_training_counts():
    from gtebench.recsys.networks import Popularity

    profile = get_training_profile("default").with_overrides(max_users=120)
    spec = RunSpec("ml-100k", "popularity", "id", None, 1, profile)
    assert spec.model == "popularity"
    record = train_and_evaluate(spec)
    assert record["epochs"] == 0 and record["test"]["ndcg@10"] > 4 * random_ndcg_at_10(1682)
    config, _, train_data, _, _ = build_recbole_data(spec)
    model = Popularity(config, train_data.dataset)
    counts = torch.bincount(train_data.dataset.inter_feat["item_id"], minlength=model.n_items)
    top = int(torch.argmax(model.scores))
    assert counts[top] == counts.max()  # the most frequent training target ranks first
    frame = records_to_frame([record])
    assert set(frame.model) == {"popularity"} and set(frame.model_class) == {"baseline"}
    with pytest.raises(BackboneError, match="has variants"):
        RunSpec("ml-100k", "popularity", "text", "minilm-l6", 1, profile)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [2, 4])  # mid-training, and after the last epoch before the record
def test_a_killed_run_resumes_after_its_last_epoch_with_the_same_result(monkeypatch, kill_after):
    profile = get_training_profile("default").with_overrides(max_users=60, max_epochs=4, stopping_step=10,
                                                             parallel_runs=1)
    spec = RunSpec("ml-100k", "sasrec", "id", None, 5 + kill_after, profile)
    uninterrupted = train_and_evaluate(spec, reuse=False)
    (spec.run_dir() / "record.json").unlink()

    save = ResumableTraining.save
    saved_epochs = []

    def save_then_die(self, epoch, history, seconds):
        save(self, epoch, history, seconds)
        saved_epochs.append(epoch)
        if len(saved_epochs) == kill_after:
            raise KeyboardInterrupt("killed")

    monkeypatch.setattr(ResumableTraining, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train_and_evaluate(spec)
    assert (spec.run_dir() / RESUME_FILE).is_file() and not (spec.run_dir() / "record.json").exists()
    monkeypatch.setattr(ResumableTraining, "save", save)

    resumed = train_and_evaluate(spec)
    assert resumed["resumed_after_epoch"] == kill_after - 1
    assert resumed["valid_history"] == uninterrupted["valid_history"] and resumed["epochs"] == 4
    assert resumed["test"] == uninterrupted["test"]
    assert not (spec.run_dir() / RESUME_FILE).exists()


@pytest.mark.slow
def test_pca_variant_trains_and_is_labelled():
    profile = get_training_profile("default").with_overrides(**SLICE)
    spec = RunSpec("ml-100k", "sasrec", "text", "minilm-l6", 7, profile, 0.8)
    record = train_and_evaluate(spec)
    assert record["embedding"]["pca_alpha"] == 0.8 and 1 < record["embedding"]["pca_dim"] < 384
    assert record["test"]["ndcg@10"] > 4 * random_ndcg_at_10(1682)
    frame = records_to_frame([record])
    assert set(frame.variant) == {"text-pca80"}


@pytest.mark.slow
@pytest.mark.parametrize("backbone,variant,encoder", [("sasrec", "id", None), ("gru4rec", "text", "minilm-l6")])
def test_all_positions_training_beats_a_random_ranker(backbone, variant, encoder):
    from gtebench.recsys.all_positions import AllPositionsLoader, AllPositionsTrainer
    from gtebench.recsys.run import build_run

    profile = get_training_profile("default").with_overrides(**SLICE, training_targets="all-positions")
    spec = RunSpec("ml-100k", backbone, variant, encoder, 7, profile)
    _, _, trainer, (train_data, _, _), _ = build_run(spec, spec.run_dir())
    assert isinstance(trainer, AllPositionsTrainer) and isinstance(train_data, AllPositionsLoader)
    record = train_and_evaluate(spec)
    assert record["training_targets"] == "all-positions"
    assert record["test"]["ndcg@10"] > 4 * random_ndcg_at_10(1682), record["test"]
    assert 1 <= record["epochs"] <= 3 and len(pd.read_csv(spec.run_dir() / PER_USER_FILE)) == 300


@pytest.mark.slow
def test_a_killed_all_positions_run_resumes_with_the_same_result(monkeypatch):
    profile = get_training_profile("default").with_overrides(max_users=60, max_epochs=3, stopping_step=10,
                                                             parallel_runs=1, training_targets="all-positions")
    spec = RunSpec("ml-100k", "sasrec", "id", None, 3, profile)
    uninterrupted = train_and_evaluate(spec, reuse=False)
    (spec.run_dir() / "record.json").unlink()
    save = ResumableTraining.save

    def save_then_die(self, epoch, history, seconds):
        save(self, epoch, history, seconds)
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(ResumableTraining, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train_and_evaluate(spec)
    monkeypatch.setattr(ResumableTraining, "save", save)
    resumed = train_and_evaluate(spec)
    assert resumed["resumed_after_epoch"] == 0  # the loader's shuffling generator was restored with the epoch
    assert resumed["valid_history"] == uninterrupted["valid_history"] and resumed["test"] == uninterrupted["test"]
