"""Profiles as plain data: how much compute a run gets. Notebooks pick one by name (papermill parameter).

`paper` is the protocol of the paper's code (RecBole defaults + the BLaIR settings: max
sequence length 50, every training prefix, batch 2048, patience 10 on validation NDCG@10).
`default` is what fits on 2 CPU cores in minutes; how it differs from `paper` is written beside each value and
in docs/protocol.md ("Default profile versus the paper's protocol").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from .hints import did_you_mean


class ProfileError(ValueError):
    pass


TRAINING_TARGETS = ("prefix", "all-positions")  # TrainingProfile.training_targets


@dataclass(frozen=True)
class TrainingProfile:
    name: str
    max_seq_len: int  # RecBole MAX_ITEM_LIST_LENGTH; also the history kept per row
    train_prefixes_per_user: int | None  # each user's most recent training rows; None = all
    max_epochs: int
    stopping_step: int  # early stopping patience on valid NDCG@10
    train_batch_size: int
    eval_batch_size: int
    learning_rate: float
    bf16: bool  # bf16 autocast in training (RecBole enable_amp); evaluation stays fp32
    parallel_runs: int  # training runs side by side, each in its own process
    threads_per_run: int | None  # torch threads per run; None = torch's default
    max_users: int | None = None  # keep only the first N users (sorted ids) for quick runs; None = all
    backbone_overrides: dict = field(default_factory=dict)  # {"sasrec": {"id": {"hidden_size": 64}}}
    fast_dropout: bool = True  # dropout masks from torch.rand, not bernoulli_: same model, cheaper (speedups.py)
    # "prefix": one RecBole row per training target, as the paper's code; "all-positions": every target of a
    # sequence window in one causal pass (gtebench.recsys.all_positions), the same (history, target) pairs for
    # less work. Causal backbones only (SASRec, GRU4Rec, UniSRec); BERT4Rec keeps its masked training.
    training_targets: str = "prefix"

    def __post_init__(self) -> None:
        checks = {
            "max_seq_len": self.max_seq_len >= 1,
            "max_epochs": self.max_epochs >= 1,
            "stopping_step": self.stopping_step >= 1,
            "train_batch_size": self.train_batch_size >= 1,
            "eval_batch_size": self.eval_batch_size >= 1,
            "learning_rate": self.learning_rate > 0,
            "parallel_runs": self.parallel_runs >= 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        for optional in ("train_prefixes_per_user", "max_users"):
            if getattr(self, optional) is not None and getattr(self, optional) < 1:
                bad.append(optional)
        for backbone, variants in self.backbone_overrides.items():
            if not isinstance(variants, dict) or set(variants) - {"id", "text"}:
                bad.append(f"backbone_overrides[{backbone!r}] (expected {{'id'|'text': {{setting: value}}}})")
        if bad:
            invalid = ", ".join(f"{b}={getattr(self, b, None)!r}" for b in bad)
            raise ProfileError(f"profile {self.name!r}: invalid {invalid}")
        if self.training_targets not in TRAINING_TARGETS:
            raise ProfileError(f"profile {self.name!r}: invalid training_targets={self.training_targets!r}; "
                               f"use one of {list(TRAINING_TARGETS)}")

    def with_overrides(self, **overrides) -> "TrainingProfile":
        unknown = sorted(set(overrides) - set(asdict(self)))
        if unknown:
            raise ProfileError(f"unknown profile setting(s) {unknown}; valid: {sorted(asdict(self))}")
        return replace(self, **overrides)

    def as_dict(self) -> dict:
        return asdict(self)


TRAINING_PROFILES: dict[str, TrainingProfile] = {
    "paper": TrainingProfile(
        name="paper",
        max_seq_len=50,  # max_his_len 50
        train_prefixes_per_user=None,  # every training row
        max_epochs=300,  # RecBole default
        stopping_step=10,  # paper: patience 10 on NDCG@10
        train_batch_size=2048,  # RecBole default
        eval_batch_size=2048,
        learning_rate=1e-3,
        bf16=False,
        parallel_runs=1,
        threads_per_run=None,
    ),
    "default": TrainingProfile(
        name="default",
        max_seq_len=20,  # cheaper than 50; on ml-100k no loss against 50 at equal epochs (docs/protocol.md)
        train_prefixes_per_user=20,  # each user's 20 most recent training prefixes: 5x fewer rows per epoch
        max_epochs=200,  # a cap, never reached: every run stops early
        stopping_step=5,  # half the paper's patience
        train_batch_size=256,  # with ~19k rows, 2048 would give 9 steps per epoch
        eval_batch_size=2048,
        learning_rate=1e-3,
        bf16=False,  # bf16 autocast is slower per step at 1 thread on a CPU without AMX (docs/protocol.md)
        parallel_runs=2,  # two 1-thread runs side by side outrun one 2-thread run (docs/protocol.md)
        threads_per_run=1,
        # Every backbone at the text variant's width (64) instead of the paper code's 300, so text and ID items
        # differ only in the item representation (UniSRec: only in the adaptor and the cosine scores); the text
        # adaptor's dropout mask drawn once per item and step instead of per sequence position (the same model at
        # evaluation). What each saves is measured in docs/protocol.md, "Default profile versus the paper's protocol".
        backbone_overrides={
            "sasrec": {"id": {"hidden_size": 64}, "text": {"adaptor_per_position": False}},
            "gru4rec": {"id": {"embedding_size": 64, "hidden_size": 64}, "text": {"adaptor_per_position": False}},
            "bert4rec": {"id": {"hidden_size": 64}, "text": {"adaptor_per_position": False}},
            "unisrec": {"text": {"hidden_size": 64, "adaptor_per_position": False}},
        },
    ),
}
# The paper's protocol with the one change that keeps its training set: every (history, target) pair of the prefix
# rows, from all-positions windows (gtebench.recsys.all_positions). `profile = "paper-all-positions"`.
TRAINING_PROFILES["paper-all-positions"] = replace(TRAINING_PROFILES["paper"], name="paper-all-positions",
                                                   training_targets="all-positions")


def get_training_profile(name: str) -> TrainingProfile:
    """The named training profile; an unknown name is a ProfileError listing the known ones."""
    if name not in TRAINING_PROFILES:
        hint = did_you_mean(name, TRAINING_PROFILES)
        raise ProfileError(f"unknown profile {name!r}; known profiles: {sorted(TRAINING_PROFILES)}.{hint}")
    return TRAINING_PROFILES[name]
