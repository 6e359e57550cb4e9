"""Training one run: fit to early stopping with a checkpoint after every epoch, evaluate, write the record.

A run's record (config, best epoch, epochs, time, valid and test metrics) is written atomically to its run folder
and reused on the next call with the same spec; a run killed during training resumes after its last epoch.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path

from ...io import atomic_open, atomic_path, read_json, write_json
from ...results import git_commit, package_versions
from ..evaluation import per_user_metrics
from .build import build_run, run_embeddings
from .progress import saved_epoch
from .spec import BEST_CHECKPOINT, METRICS, PER_USER_FILE, RESUME_FILE, TOPK, RunSpec, recbole_config_dict

log = logging.getLogger(__name__)


def finished_record(spec: RunSpec) -> dict | None:
    """The run's record if it finished with this spec and, for text runs, with the same embedding file.

    The run id names the spec; the embedding file name hashes every input of the vectors (model, weights,
    texts, precision), so a record trained on other vectors is never reused.
    """
    path = spec.run_dir() / "record.json"
    if not path.is_file():
        return None
    record = read_json(path)
    if record.get("run_id") != spec.run_id or not (spec.run_dir() / PER_USER_FILE).is_file():
        return None
    embeddings = run_embeddings(spec)
    if embeddings is not None and (record.get("embedding") or {}).get("path") != str(embeddings.path):
        return None
    return {**record, "reused": True}


class ResumableTraining:
    """The state after each finished epoch, so a killed run resumes at the next epoch with the same result.

    RecBole checkpoints only the best epoch and cannot resume its data order; this file also holds the optimizer,
    the early-stopping counters, the validation history and the random states (torch's, and the training
    loader's shuffling generator), so a resumed run trains exactly the epochs an uninterrupted run would.
    """

    def __init__(self, path: Path, run_id: str, trainer, train_data):
        self.path, self.run_id, self.trainer, self.train_data = path, run_id, trainer, train_data

    def restore(self) -> tuple[list[float], float, bool]:
        """Load the last finished epoch into the trainer, if any.

        Returns the validation history, the training seconds so far, and whether training had already stopped
        (killed between the last epoch and the record: only the evaluation is left).
        """
        import torch

        if not self.path.is_file():
            return [], 0.0, False
        state = torch.load(self.path, map_location=self.trainer.device, weights_only=False)
        if state.get("run_id") != self.run_id:  # another spec's leftovers: start over
            return [], 0.0, False
        trainer = self.trainer
        trainer.model.load_state_dict(state["model"])
        trainer.optimizer.load_state_dict(state["optimizer"])
        trainer.start_epoch = state["epoch"] + 1
        trainer.cur_step = state["cur_step"]
        trainer.best_valid_score = state["best_valid_score"]
        trainer.best_valid_result = state["best_valid_result"]
        torch.set_rng_state(state["torch_rng"])
        self.train_data.generator.set_state(state["loader_rng"])
        log.info("resuming %s after epoch %d", self.run_id, state["epoch"])
        return list(state["history"]), float(state["seconds"]), bool(state["stopped"])

    def save(self, epoch: int, history: list[float], seconds: float) -> None:
        import torch

        trainer = self.trainer
        state = {
            "run_id": self.run_id, "epoch": epoch, "history": history, "seconds": seconds,
            # RecBole's early stopping ends training once cur_step exceeds stopping_step
            "stopped": trainer.cur_step > trainer.stopping_step or epoch + 1 >= trainer.epochs,
            "model": trainer.model.state_dict(), "optimizer": trainer.optimizer.state_dict(),
            "cur_step": trainer.cur_step, "best_valid_score": trainer.best_valid_score,
            "best_valid_result": trainer.best_valid_result,
            "torch_rng": torch.get_rng_state(), "loader_rng": self.train_data.generator.get_state(),
        }
        with atomic_path(self.path) as tmp:
            torch.save(state, tmp)


def train_and_evaluate(spec: RunSpec, reuse: bool = True) -> dict:
    """Train to early stopping on valid NDCG@10, reload the best epoch, evaluate valid and test; return the record.

    A run killed during training resumes after its last finished epoch (ResumableTraining) when called again.
    """
    import torch

    run_dir = spec.run_dir()
    record_path = run_dir / "record.json"
    if reuse and (record := finished_record(spec)) is not None:
        return record
    config_dict, model, trainer, (train_data, valid_data, test_data), embedding_meta = build_run(spec, run_dir)
    trainer.saved_model_file = str(run_dir / BEST_CHECKPOINT)  # a fixed name, so a resumed run finds it
    resumable = ResumableTraining(run_dir / RESUME_FILE, spec.run_id, trainer, train_data)
    history, seconds_before, stopped = resumable.restore() if reuse else ([], 0.0, False)
    resumed_after = len(history) - 1 if history else None
    start = time.perf_counter()

    def after_epoch(epoch: int, score: float) -> None:
        history.append(float(score))
        resumable.save(epoch, history, seconds_before + time.perf_counter() - start)

    trained = any(p.requires_grad for p in model.parameters())  # a baseline (Popularity) is evaluated as it is
    if trained and not stopped:
        trainer.fit(train_data, valid_data, verbose=True, saved=True, show_progress=False, callback_fn=after_epoch)
    train_seconds = seconds_before + time.perf_counter() - start
    valid = trainer.evaluate(valid_data, load_best_model=trained, show_progress=False)
    # Test metrics from one per-user pass with the best epoch's weights (loaded by evaluate above): the same
    # scores and top-k as RecBole's evaluator, whose means they equal (tests/recsys/test_evaluation.py), unrounded.
    per_user = per_user_metrics(trainer, test_data, TOPK)
    test = {f"{m.lower()}@{k}": float(per_user[f"{m.lower()}@{k}"].mean()) for m in METRICS for k in TOPK}
    user_tokens = train_data.dataset.id2token(train_data.dataset.uid_field, per_user["user"].to_numpy())
    per_user.insert(0, "user_token", user_tokens)
    with atomic_open(run_dir / PER_USER_FILE, "w", newline="") as handle:
        per_user.to_csv(handle, index=False)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    record = {
        "run_id": spec.run_id,
        "spec": {**asdict(spec), "profile": spec.profile.as_dict()},
        "recbole_config": {k: config_dict[k] for k in recbole_config_dict(spec, Path(), run_dir)
                           if k not in ("data_path", "checkpoint_dir")},
        "training_targets": spec.training_targets,  # effective: "prefix" for BERT4Rec whatever the profile says
        "best_epoch": saved_epoch(history),  # the evaluated weights' epoch: the last to reach the best score
        "epochs": len(history),
        "valid_history": history,
        "train_seconds": round(train_seconds, 2),
        "trainable_parameters": int(trainable),
        "threads": torch.get_num_threads(),
        "valid": {k: float(v) for k, v in valid.items()},
        "test": {k: float(v) for k, v in test.items()},
        "embedding": embedding_meta,
        "per_user_file": PER_USER_FILE,
        "resumed_after_epoch": resumed_after,
        "versions": package_versions(),
        "git_commit": git_commit(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    write_json(record_path, record)
    (run_dir / RESUME_FILE).unlink(missing_ok=True)  # the record is final; the epoch state is no longer needed
    return record
