"""Train and evaluate one sequential-recommendation run in RecBole, or many side by side.

A run is named by RunSpec (dataset, backbone, variant, encoder, seed, profile); its record (config, best epoch,
epochs, time, valid and test metrics) is written atomically to GTEBENCH_HOME/runs/... and reused on the next
call with the same spec, so a batch killed in the middle resumes at the first unfinished run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from . import compat

compat.apply()

from .. import paths  # noqa: E402
from ..data import prepare  # noqa: E402
from ..encoders.registry import get_encoder  # noqa: E402
from ..io import atomic_open, atomic_path, read_json, stable_hash, write_json  # noqa: E402
from ..profiles import TrainingProfile  # noqa: E402
from ..results import COLUMNS, git_commit, package_versions  # noqa: E402
from .backbones import BackboneError, get_backbone  # noqa: E402
from .evaluation import per_user_metrics  # noqa: E402

log = logging.getLogger(__name__)
RUNNER_VERSION = 3  # bump when training or evaluation logic changes: finished runs are then trained again
TOPK = (10, 50)
METRICS = ("Recall", "NDCG")
VALID_METRIC = "NDCG@10"
PER_USER_FILE = "per_user_test.csv"  # each test user's metrics, for paired significance tests
BEST_CHECKPOINT = "best.pth"  # RecBole's checkpoint of the best epoch (RecBole names it by the time otherwise)
RESUME_FILE = "last_epoch.pth"  # state after the last finished epoch (ResumableTraining)
# glibc keeps the ~13 MB activation buffers instead of mmap/munmap-ing them every step (offline.md section 6).
MALLOC_ENV = {
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "4294967296",
    "MALLOC_TOP_PAD_": "268435456",
}


def variant_label(variant: str, pca_alpha: float | None) -> str:
    """The results' variant: id, text, or text-pca80 / text-pca95 for PCA-compressed text items."""
    return variant if pca_alpha is None else f"{variant}-pca{round(pca_alpha * 100)}"


@dataclass(frozen=True)
class RunSpec:
    dataset: str
    backbone: str
    variant: str  # "id" or "text"
    encoder: str | None  # encoder key for text variants, None for id
    seed: int
    profile: TrainingProfile
    pca_alpha: float | None = None  # text items compressed by PCA to d(alpha) dimensions (beyond the paper)

    def __post_init__(self) -> None:
        backbone = get_backbone(self.backbone)
        if self.pca_alpha is not None and (self.variant != "text" or not 0 < self.pca_alpha <= 1):
            raise BackboneError(f"pca_alpha applies to text variants only and must be in (0, 1], got {self.pca_alpha!r} "
                                f"for the {self.variant!r} variant")
        if self.variant not in backbone.variants:
            raise BackboneError(f"backbone {self.backbone!r} has variants {backbone.variants}, got {self.variant!r}")
        if self.variant == "text":
            if not self.encoder:
                raise BackboneError("a text variant needs an encoder (e.g. 'minilm-l6')")
            get_encoder(self.encoder)
        elif self.encoder is not None:
            raise BackboneError(f"the id variant takes no encoder, got {self.encoder!r}")

    @property
    def model(self) -> str:
        return self.encoder or (self.backbone if get_backbone(self.backbone).baseline else "id")

    @property
    def variant_label(self) -> str:
        return variant_label(self.variant, self.pca_alpha)

    @property
    def run_id(self) -> str:
        """Hash of everything that changes the run's numbers; of the profile's per-backbone overrides only this
        backbone and variant's, so adding a backbone to a profile does not invalidate finished runs of others."""
        spec = asdict(self)
        spec["profile"]["backbone_overrides"] = self.profile.backbone_overrides.get(self.backbone, {}).get(self.variant, {})
        if self.pca_alpha is None:  # runs without PCA keep the ids they had before the field existed
            del spec["pca_alpha"]
        return stable_hash({**spec, "runner_version": RUNNER_VERSION}, 16)

    @property
    def label(self) -> str:
        return f"{self.dataset} {self.backbone}-{self.variant_label} {self.model} seed {self.seed}"

    def run_dir(self) -> Path:
        model = re.sub(r"[^A-Za-z0-9._-]+", "_", self.model)  # hf:org/name and path:/x keys are not folder names
        name = f"{self.backbone}-{self.variant_label}-{model}-s{self.seed}-{self.run_id}"
        return paths.subdir("runs", self.dataset.replace("/", "_"), self.profile.name, name)


def recbole_config_dict(spec: RunSpec, data_path: Path, run_dir: Path) -> dict:
    """Every RecBole setting a run uses; what is not here is RecBole 1.2.1's default."""
    import torch

    profile = spec.profile
    return {
        "data_path": str(data_path),
        "benchmark_filename": ["train", "valid", "test"],
        "load_col": {"inter": ["user_id", "item_id_list", "item_id"]},
        "alias_of_item_id": ["item_id_list"],
        "USER_ID_FIELD": "user_id",
        "ITEM_ID_FIELD": "item_id",
        "TIME_FIELD": None,
        "RATING_FIELD": None,
        "MAX_ITEM_LIST_LENGTH": profile.max_seq_len,
        "train_neg_sample_args": None,  # full softmax cross-entropy over all items
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "group_by": "user", "mode": "full"},
        "metrics": list(METRICS),
        "topk": list(TOPK),
        "valid_metric": VALID_METRIC,
        "epochs": profile.max_epochs,
        "stopping_step": profile.stopping_step,
        "train_batch_size": profile.train_batch_size,
        "eval_batch_size": profile.eval_batch_size,
        "learning_rate": profile.learning_rate,
        "learner": "adam",
        "seed": spec.seed,
        "reproducibility": True,
        "enable_amp": profile.bf16,
        "use_gpu": torch.cuda.is_available(),
        "checkpoint_dir": str(run_dir),
        "show_progress": False,
        "log_wandb": False,
        "save_dataset": False,
        "save_dataloaders": False,
        **get_backbone(spec.backbone).params(spec.variant),
        **profile.backbone_overrides.get(spec.backbone, {}).get(spec.variant, {}),
    }


@contextlib.contextmanager
def _isolated_argv_and_cwd(directory: Path):
    """RecBole parses sys.argv into its config and creates log_tensorboard/ in the working directory."""
    argv, cwd = sys.argv, os.getcwd()
    sys.argv = argv[:1]
    os.chdir(directory)
    try:
        yield
    finally:
        sys.argv = argv
        os.chdir(cwd)


def _model_class(spec: RunSpec):
    from recbole.model import sequential_recommender

    from . import models

    backbone = get_backbone(spec.backbone)
    if spec.variant == "text":
        return getattr(models, backbone.text_model)
    return getattr(sequential_recommender, backbone.recbole_model, None) or getattr(models, backbone.recbole_model)


def build_recbole_data(spec: RunSpec, run_dir: Path | None = None):
    """RecBole's Config, dataset and (train, valid, test) loaders for a run, from the exported benchmark files."""
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import init_seed

    run_dir = run_dir or spec.run_dir()
    profile = spec.profile
    prepared = prepare(spec.dataset)
    data_path, name = prepared.recbole_benchmark(profile.max_seq_len, profile.train_prefixes_per_user, profile.max_users)
    config_dict = recbole_config_dict(spec, data_path, run_dir)
    with _isolated_argv_and_cwd(run_dir):
        config = Config(model=_model_class(spec), dataset=name, config_dict=config_dict)
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)
    return config, dataset, train_data, valid_data, test_data


def run_embeddings(spec: RunSpec, show_progress: bool = False):
    """The cached item embeddings of a text run (encoded on first use), or None for an ID run."""
    if spec.variant != "text":
        return None
    from ..encoders.cache import embed
    from ..text import get_recipe

    prepared = prepare(spec.dataset)
    return embed(spec.encoder, prepared.item_texts(), dataset=spec.dataset,
                 recipe_hash=get_recipe(prepared.spec.text_recipe).hash, show_progress=show_progress)


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


def compressed_item_vectors(vectors, alpha: float | None):
    """The item table as it is, or projected onto its top d(alpha) principal directions (paper section 5: PCA
    fitted on a seeded sample of up to 100k items, items centred by the catalogue mean); returns (vectors, dim)."""
    if alpha is None:
        return vectors, vectors.shape[1]
    from ..encoders import pca

    fitted = pca.fit(vectors)
    dim = fitted.effective_dim(alpha)
    return fitted.project(vectors, dim), dim


def _build(spec: RunSpec, run_dir: Path):
    from recbole.trainer import Trainer
    from recbole.utils import init_seed
    from torch.utils.tensorboard import SummaryWriter

    from . import models

    config, _, train_data, valid_data, test_data = build_recbole_data(spec, run_dir)
    init_seed(config["seed"], config["reproducibility"])
    embedding_meta = None
    embeddings = run_embeddings(spec)
    if embeddings is not None:
        vectors, pca_dim = compressed_item_vectors(embeddings.vectors, spec.pca_alpha)
        table = models.aligned_item_table(train_data.dataset, embeddings.ids, vectors)
        model = _model_class(spec)(config, train_data.dataset, table).to(config["device"])
        embedding_meta = {"path": str(embeddings.path), **{k: embeddings.meta["key"][k] for k in ("precision", "weights", "dim")},
                          "pca_alpha": spec.pca_alpha, "pca_dim": pca_dim}
    else:
        model = _model_class(spec)(config, train_data.dataset).to(config["device"])
    if spec.profile.fast_dropout:
        from .speedups import use_rand_dropout

        use_rand_dropout(model)
    with _isolated_argv_and_cwd(run_dir):
        trainer = Trainer(config, model)
    # RecBole's SummaryWriter holds a path relative to the working directory at construction time; give it an
    # absolute one so tensorboard events land in the run folder whatever the caller's directory is.
    trainer.tensorboard.close()
    trainer.tensorboard = SummaryWriter(str(run_dir / "tensorboard"))
    return config.final_config_dict, model, trainer, (train_data, valid_data, test_data), embedding_meta


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
    config_dict, model, trainer, (train_data, valid_data, test_data), embedding_meta = _build(spec, run_dir)
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
    per_user.insert(0, "user_token", train_data.dataset.id2token(train_data.dataset.uid_field, per_user["user"].to_numpy()))
    with atomic_open(run_dir / PER_USER_FILE, "w", newline="") as handle:
        per_user.to_csv(handle, index=False)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    record = {
        "run_id": spec.run_id,
        "spec": {**asdict(spec), "profile": spec.profile.as_dict()},
        "recbole_config": {k: config_dict[k] for k in recbole_config_dict(spec, Path(), run_dir) if k not in ("data_path", "checkpoint_dir")},
        "best_epoch": int(max(range(len(history)), key=lambda i: (history[i], -i))) if history else -1,
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


def _die_with_parent() -> None:
    """A worker of a killed notebook kernel would otherwise train on, orphaned, eating the CPU (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _worker_init(threads: int | None) -> None:
    import torch

    _die_with_parent()
    if threads:
        torch.set_num_threads(threads)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)  # epoch lines go to the run's train.log, not the notebook
    logging.getLogger().addHandler(console)


def _worker_run(spec: RunSpec) -> dict:
    handler = logging.FileHandler(spec.run_dir() / "train.log", mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        return train_and_evaluate(spec)
    finally:
        root.removeHandler(handler)
        handler.close()


def run_many(specs: list[RunSpec], parallel: int | None = None, threads: int | None = None, progress: bool = True) -> list[dict]:
    """Run every spec (reusing finished ones), `parallel` at a time in spawned processes; records in spec order.

    Defaults come from the first spec's profile. With parallel=1 runs execute in this process.
    """
    if not specs:
        return []
    from tqdm.auto import tqdm

    profile = specs[0].profile
    parallel = parallel or profile.parallel_runs
    threads = threads if threads is not None else profile.threads_per_run
    _encode_ahead(specs)  # in this process, once per (dataset, encoder), before any worker starts
    records: dict[int, dict] = {}
    todo = []
    for index, spec in enumerate(specs):
        if (record := finished_record(spec)) is not None:
            records[index] = record
        else:
            todo.append(index)
    todo.sort(key=lambda i: specs[i].variant == "id")  # text runs take longest: start them first, workers end together
    bar = tqdm(total=len(specs), initial=len(records), desc="training runs", disable=not progress)
    if parallel == 1 or len(todo) <= 1:
        for index in todo:
            bar.set_postfix_str(specs[index].label)
            records[index] = train_and_evaluate(specs[index])
            bar.update()
    else:
        for key, value in MALLOC_ENV.items():  # read by glibc when each worker process starts
            os.environ.setdefault(key, value)
        context = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(parallel, mp_context=context, initializer=_worker_init, initargs=(threads,)) as pool:
            futures = {pool.submit(_worker_run, specs[i]): i for i in todo}
            for future in cf.as_completed(futures):
                index = futures[future]
                records[index] = future.result()
                bar.set_postfix_str(specs[index].label)
                bar.update()
    bar.close()
    return [records[i] for i in range(len(specs))]


def _encode_ahead(specs: list[RunSpec]) -> None:
    """Fill the embedding cache in this process, once per (dataset, encoder), before workers start."""
    first = {(s.dataset, s.encoder): s for s in specs if s.encoder}
    for key in sorted(first):
        run_embeddings(first[key], show_progress=True)


def records_to_frame(records: list[dict]) -> pd.DataFrame:
    """Tidy results rows (gtebench.results.COLUMNS) from run records."""
    import json

    rows = []
    for record in records:
        spec = record["spec"]
        encoder = spec["encoder"]
        baseline = get_backbone(spec["backbone"]).baseline
        model_class = get_encoder(encoder).model_class if encoder else "baseline" if baseline else "id"
        variant = variant_label(spec["variant"], spec.get("pca_alpha"))
        config = json.dumps({"recbole": record["recbole_config"], "profile": spec["profile"],
                             "embedding": record.get("embedding"), "threads": record.get("threads")}, sort_keys=True)
        for split in ("valid", "test"):
            for metric, value in record[split].items():
                rows.append({
                    "task": "sr", "dataset": spec["dataset"], "domain": "All", "backbone": spec["backbone"], "variant": variant,
                    "model": encoder or (spec["backbone"] if baseline else "id"), "model_class": model_class, "metric": metric, "split": split,
                    "value": value, "seed": spec["seed"], "profile": spec["profile"]["name"],
                    "best_epoch": record["best_epoch"], "epochs": record["epochs"],
                    "train_seconds": record["train_seconds"], "run_id": record["run_id"], "config": config,
                    "versions": json.dumps(record["versions"], sort_keys=True), "git_commit": record["git_commit"],
                })
    return pd.DataFrame(rows, columns=COLUMNS)
