"""The sequential-recommendation experiment behind the Table 1 notebook: typed config in, tidy results out.

Configuration flows one way: the notebook's papermill parameters -> SRExperimentConfig.from_params (validated
here, with errors that list what is valid) -> run_many -> a results file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import paths
from ..data import get_dataset
from ..encoders.registry import get_encoder
from ..profiles import TrainingProfile, get_training_profile
from ..results import write_results
from .backbones import get_backbone
from .runner import RunSpec, records_to_frame, run_many


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
    parallel_runs: int | None = field(default=None)

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
    ) -> "SRExperimentConfig":
        for name, value in (("datasets", datasets), ("backbones", backbones), ("seeds", seeds)):
            if isinstance(value, str) or not value:
                raise ConfigError(f"{name} must be a non-empty list, got {value!r}")
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
        for key in encoders:
            get_encoder(key)
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
                   bool(include_popularity))

    def run_specs(self) -> list[RunSpec]:
        variants = ([("id", None)] if self.include_id else []) + [("text", e) for e in self.encoders]
        runs = [
            RunSpec(dataset, backbone, variant, encoder, seed, self.profile)
            for dataset in self.datasets
            for backbone in self.backbones
            for seed in self.seeds
            for variant, encoder in variants
            if variant in get_backbone(backbone).variants  # a text-only backbone (UniSRec) gets no ID run
        ]
        if self.include_popularity:  # deterministic and untrained: one row per dataset, under the first seed
            runs += [RunSpec(dataset, "popularity", "id", None, self.seeds[0], self.profile) for dataset in self.datasets]
        return runs


def run_sr_experiment(config: SRExperimentConfig, progress: bool = True) -> pd.DataFrame:
    """Train and evaluate every run of the config (reusing finished runs); write and return the tidy results."""
    records = run_many(config.run_specs(), parallel=config.parallel_runs, progress=progress)
    frame = records_to_frame(records)
    write_results(frame, config.results_file)
    return frame
