"""What names a run (RunSpec), the protocol's constants, and every RecBole setting a run uses.

Settings, lowest priority first (a later layer wins on the keys it sets; `recbole_config_dict` builds one dict
literal in this order and RecBole gives a config_dict priority over its own yaml files):

1. RecBole 1.2.1's defaults: its overall.yaml and, for RecBole's own models (SASRec, GRU4Rec, BERT4Rec), the
   model's yaml; gtebench's own model classes have none.
2. The fixed settings of every run (data fields, full-ranking evaluation, metrics, top-k, Adam, reproducibility,
   no logging or saving of datasets) together with the training profile's values (`gtebench.profiles.
   TrainingProfile`: sequence length, epochs, patience, batch sizes, learning rate, bf16); the two are written
   side by side and set disjoint keys, so neither overrides the other.
3. The backbone's params for the variant (`gtebench.recsys.backbones`).
4. The profile's `backbone_overrides` for this backbone and variant.

RecBole would put command-line arguments above all of these; a run clears sys.argv while RecBole reads it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ... import paths
from ...encoders.registry import get_encoder
from ...io import file_name, stable_hash
from ...profiles import TrainingProfile
from ..backbones import BackboneError, get_backbone

RUNNER_VERSION = 3  # bump when training or evaluation logic changes: finished runs are then trained again
TOPK = (10, 50)
METRICS = ("Recall", "NDCG")
VALID_METRIC = "NDCG@10"
PER_USER_FILE = "per_user_test.csv"  # each test user's metrics, for paired significance tests
BEST_CHECKPOINT = "best.pth"  # RecBole's checkpoint of the best epoch (RecBole names it by the time otherwise)
RESUME_FILE = "last_epoch.pth"  # state after the last finished epoch (train.ResumableTraining)


def variant_label(variant: str, pca_alpha: float | None) -> str:
    """The results' variant: id, text, or text-pca80 / text-pca95 for PCA-compressed text items."""
    return variant if pca_alpha is None else f"{variant}-pca{round(pca_alpha * 100)}"


@dataclass(frozen=True)
class RunSpec:
    """One training run. The field names and their order are part of `run_id`: changing them renames every run."""

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
            raise BackboneError(f"pca_alpha applies to text variants only and must be in (0, 1], got "
                                f"{self.pca_alpha!r} for the {self.variant!r} variant")
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
    def training_targets(self) -> str:
        """How this run trains: the profile's training_targets for a causal backbone, else "prefix" (BERT4Rec keeps
        its masked training over the prefix rows; a baseline is not trained)."""
        return self.profile.training_targets if get_backbone(self.backbone).causal else "prefix"

    @property
    def run_id(self) -> str:
        """Hash of everything that changes the run's numbers; of the profile's per-backbone overrides only this
        backbone and variant's, so adding a backbone to a profile does not invalidate finished runs of others.
        training_targets enters as this run's effective value, and not at all when "prefix": runs trained on prefix
        rows keep the ids they had before the setting existed, and a BERT4Rec run is the same run in either mode."""
        spec = asdict(self)
        spec["profile"]["backbone_overrides"] = self.profile.backbone_overrides.get(self.backbone, {}).get(
            self.variant, {})
        del spec["profile"]["training_targets"]
        if self.training_targets != "prefix":
            spec["profile"]["training_targets"] = self.training_targets
        if self.pca_alpha is None:  # runs without PCA keep the ids they had before the field existed
            del spec["pca_alpha"]
        return stable_hash({**spec, "runner_version": RUNNER_VERSION}, 16)

    @property
    def label(self) -> str:
        return f"{self.dataset} {self.backbone}-{self.variant_label} {self.model} seed {self.seed}"

    def run_dir(self) -> Path:
        model = file_name(self.model)  # hf:org/name and path:/x keys are not folder names
        name = f"{self.backbone}-{self.variant_label}-{model}-s{self.seed}-{self.run_id}"
        return paths.subdir("runs", self.dataset.replace("/", "_"), self.profile.name, name)


def recbole_config_dict(spec: RunSpec, data_path: Path, run_dir: Path) -> dict:
    """Every RecBole setting a run uses, layered as the module docstring lists; the rest is RecBole 1.2.1's."""
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
