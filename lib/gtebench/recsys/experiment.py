"""The sequential-recommendation experiment behind the Table 1 notebook: typed config in, tidy results out.

Configuration flows one way: the notebook's papermill parameters -> SRExperimentConfig.from_params (validated
here, with errors that list what is valid) -> run_many -> a results file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import paths
from ..data import get_dataset
from ..encoders.registry import encoder_key, get_encoder
from ..failures import raise_if_failed, write_failures
from ..io import atomic_open
from ..profiles import TrainingProfile, get_training_profile
from ..results import write_results
from ..significance import bootstrap_intervals, compare_best_generalist
from ..tables import SR_METRICS
from .backbones import get_backbone
from .run import PER_USER_FILE, RunSpec, records_to_frame, run_many


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SRExperimentConfig:
    datasets: tuple[str, ...]
    backbones: tuple[str, ...]
    encoders: tuple[str, ...]
    include_id: bool
    seeds: tuple[int, ...]
    profile: TrainingProfile
    results_file: Path
    include_popularity: bool = True
    pca_alphas: tuple[float, ...] = ()  # each text encoder also with items compressed to d(alpha) dimensions

    @classmethod
    def from_params(
        cls,
        datasets: list[str],
        backbones: list[str],
        encoders: list[str],
        include_id: bool = True,
        seeds: list[int] = (2020,),
        profile: str = "default",
        profile_overrides: dict | None = None,
        results_file: str = "sr_default.csv",
        include_popularity: bool = True,
        pca_alphas: list[float] = (),
    ) -> "SRExperimentConfig":
        """The validated config of a Table 1 run, from the notebook's parameters; errors list what is valid.

        Args:
            datasets: dataset keys; backbones: backbone keys; encoders: the text variants' encoders, each a key or
                a mapping {model: <key>, <setting>: <value>} (prompts, pooling, normalize; registry.encoder_key).
            include_id: also train each backbone with ID items; include_popularity: add the popularity floor.
            seeds: one run per seed.
            profile: a training profile name; profile_overrides: settings of it to change.
            results_file: under results/ unless absolute.
            pca_alphas: each encoder also with items PCA-compressed to d(alpha) dimensions.
        """
        for name, value in (("datasets", datasets), ("backbones", backbones), ("seeds", seeds)):
            if not isinstance(value, (list, tuple)) or not value:
                raise ConfigError(f"{name} must be a non-empty list, e.g. [{value!r}], got {value!r}")
        if isinstance(encoders, str):
            raise ConfigError(f"encoders must be a list of encoder keys, got the string {encoders!r}")
        if not encoders and not include_id:
            raise ConfigError("nothing to run: encoders is empty and include_id is False")
        for key in datasets:
            get_dataset(key)
        for key in backbones:
            backbone = get_backbone(key)
            if backbone.baseline:
                raise ConfigError(f"{key!r} is a baseline, not a backbone; it is added by include_popularity")
            if backbone.variants == ("text",) and not encoders:
                raise ConfigError(f"{key!r} is text-only (variants {backbone.variants}); give it at least one encoder")
        encoders = [encoder_key(entry) for entry in encoders]  # checks each key, and the settings of a mapping
        if isinstance(pca_alphas, (str, int, float)) or any(
                isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 < a < 1 for a in pca_alphas):
            raise ConfigError(f"pca_alphas must be a list of explained-variance fractions in (0, 1), e.g. [0.8, 0.95]; "
                              f"got {pca_alphas!r}")
        if pca_alphas and not encoders:
            raise ConfigError("pca_alphas compress text items: give at least one encoder")
        bad_seeds = [s for s in seeds if not isinstance(s, int) or isinstance(s, bool)]
        if bad_seeds:
            raise ConfigError(f"seeds must be integers, got {bad_seeds}")
        resolved = get_training_profile(profile).with_overrides(**(profile_overrides or {}))
        path = Path(results_file)
        if not path.is_absolute():
            path = paths.results_dir() / path
        if path.suffix != ".csv":
            raise ConfigError(f"results_file must end in .csv, got {results_file!r}")
        return cls(tuple(datasets), tuple(backbones), tuple(encoders), bool(include_id), tuple(seeds), resolved, path,
                   bool(include_popularity), tuple(float(a) for a in pca_alphas))

    def run_specs(self) -> list[RunSpec]:
        variants = ([("id", None, None)] if self.include_id else []) + [
            ("text", e, alpha) for e in self.encoders for alpha in (None, *self.pca_alphas)]
        runs = [
            RunSpec(dataset, backbone, variant, encoder, seed, self.profile, alpha)
            for dataset in self.datasets
            for backbone in self.backbones
            for seed in self.seeds
            for variant, encoder, alpha in variants
            if variant in get_backbone(backbone).variants  # a text-only backbone (UniSRec) gets no ID run
        ]
        if self.include_popularity:  # deterministic and untrained: one row per dataset, under the first seed
            runs += [RunSpec(dataset, "popularity", "id", None, self.seeds[0], self.profile)
                     for dataset in self.datasets]
        return runs

    @property
    def significance_file(self) -> Path:
        return self.results_file.with_name(self.results_file.stem + "_significance.csv")

    @property
    def intervals_file(self) -> Path:
        return self.results_file.with_name(self.results_file.stem + "_intervals.csv")


def per_user_frame(specs: list[RunSpec]) -> pd.DataFrame:
    """Every finished run's per-user test metrics, one row per dataset x backbone x model x seed x user (runs
    on PCA-compressed items left out)."""
    frames = []
    for spec in specs:
        if spec.pca_alpha is not None:  # the paper's comparison is between full encoders; PCA variants stay out
            continue
        path = spec.run_dir() / PER_USER_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path}: per-user metrics of {spec.label} are missing; rerun the experiment")
        part = pd.read_csv(path)
        encoder = spec.encoder
        baseline = get_backbone(spec.backbone).baseline
        model_class = get_encoder(encoder).model_class if encoder else ("baseline" if baseline else "id")
        frames.append(part.assign(dataset=spec.dataset, backbone=spec.backbone, variant=spec.variant,
                                  model=spec.model, model_class=model_class, seed=spec.seed,
                                  user=part["user_token"].astype(str)))
    if not frames:  # every run failed (or only PCA variants): nothing to pair, an empty frame of the same columns
        return pd.DataFrame(columns=["dataset", "backbone", "variant", "model", "model_class", "seed", "user",
                                     *SR_METRICS])
    return pd.concat(frames, ignore_index=True)


def run_sr_experiment(config: SRExperimentConfig, progress: bool = True, raise_failures: bool = True) -> pd.DataFrame:
    """Train and evaluate every run of the config (reusing finished runs); write and return the tidy results.

    A cell that fails (gtebench.failures) costs only its runs: the others are written, the failures listed in
    `<name>_failures.csv`, and CellsFailed is raised at the end (raise_failures=False: not raised, so a notebook
    can draw what finished first and raise in its last cell).

    Beside the results file, `<name>_significance.csv` holds the paired tests of the best generalist encoder
    against the best model of each other class (gtebench.significance), on per-user test metrics, and
    `<name>_intervals.csv` a per-user bootstrap interval of every model's test metrics (the whiskers of a one-seed
    figure).
    """
    specs = config.run_specs()
    failures: list = []  # a cell that fails costs that cell: the rest is written, then CellsFailed is raised
    records = run_many(specs, progress=progress, failures=failures)
    frame = records_to_frame(records)
    write_results(frame, config.results_file)
    write_failures(failures, config.results_file)
    failed_runs = {f.cell for f in failures}
    failed_encodings = {(f.dataset, f.model) for f in failures if f.cell == "encode"}
    finished = [s for s in specs if s.label not in failed_runs and (s.dataset, s.encoder) not in failed_encodings]
    per_user = per_user_frame(finished)
    significance = compare_best_generalist(per_user, SR_METRICS, ("dataset", "backbone"))
    with atomic_open(config.significance_file, "w", newline="") as handle:
        significance.to_csv(handle, index=False)
    with atomic_open(config.intervals_file, "w", newline="") as handle:  # the one-seed figure's whiskers
        bootstrap_intervals(per_user, SR_METRICS, ("dataset", "backbone")).to_csv(handle, index=False)
    if raise_failures:
        raise_if_failed(failures, config.results_file)
    return frame
