"""The specialisation experiment: each base generalist off the shelf against its specialised versions, with the
classic floor, in recommendation, search and the embedding-space analysis (notebooks/specialisation.ipynb).

run_specialisation_experiment(config) trains (or reuses) every specialised model, runs Table 1's protocol on the
recommendation datasets and Table 2's on the search datasets with the same encoders, measures each embedding space
(gtebench.analysis), and compares every model with its base per user or query (specialise.compare). Results go to
`<prefix>_sr.csv`, `<prefix>_ps.csv`, `<prefix>_analysis.csv`, `<prefix>_comparison.csv` and `<prefix>_models.csv`
(one row per specialised model: its manifest, with the training time). A cell that fails is recorded as in the
other notebooks and does not stop the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import paths
from ..io import atomic_open
from .compare import against_base
from .recipes import PREFIX, SpecialisationError, get_recipe, parse_key


@dataclass(frozen=True)
class SpecialisationConfig:
    bases: tuple[str, ...]
    recipes: tuple[str, ...]
    sr_datasets: tuple[str, ...]
    backbones: tuple[str, ...]
    seeds: tuple[int, ...]
    search_datasets: tuple[str, ...]
    classic: tuple[str, ...]  # encoders of the classic floor (TF-IDF + SVD)
    lexical: tuple[str, ...]  # search-only models (BM25)
    include_id: bool
    profile: str
    profile_overrides: dict
    results_prefix: Path
    sr_metric: str = "ndcg@10"
    search_metric: str = "ndcg@100"

    @classmethod
    def from_params(cls, bases, recipes, sr_datasets, backbones, seeds, search_datasets, classic=("tfidf-svd",),
                    lexical=("bm25",), include_id=True, profile="default", profile_overrides=None,
                    results_prefix="specialisation", sr_metric="ndcg@10", search_metric="ndcg@100"):
        """The validated config from the notebook's parameters (unknown bases and recipes fail here).

        Args:
            bases: generalist encoder keys; recipes: recipe keys (specialise.recipes).
            sr_datasets, backbones, seeds: the recommendation cells (default profile); search_datasets: search cells.
            classic: classic encoders; lexical: BM25 models; include_id: ID items in recommendation.
            profile, profile_overrides: the training profile; results_prefix: under results/ unless absolute.
            sr_metric, search_metric: the metric of the comparison table.
        """
        from ..encoders.registry import get_encoder

        for name, value in (("bases", bases), ("recipes", recipes)):
            if isinstance(value, str) or not value:
                raise SpecialisationError(f"{name} must be a non-empty list, got {value!r}")
        for key in (*bases, *classic):
            get_encoder(key)
        for recipe in recipes:
            get_recipe(recipe)
        prefix = Path(results_prefix)
        return cls(tuple(bases), tuple(recipes), tuple(sr_datasets), tuple(backbones), tuple(int(s) for s in seeds),
                   tuple(search_datasets), tuple(classic), tuple(lexical), bool(include_id), profile,
                   dict(profile_overrides or {}),
                   prefix if prefix.is_absolute() else paths.results_dir() / prefix, sr_metric, search_metric)

    @property
    def specialised(self) -> tuple[str, ...]:
        return tuple(f"{PREFIX}{base}@{recipe}" for base in self.bases for recipe in self.recipes)

    @property
    def encoders(self) -> tuple[str, ...]:
        return (*self.bases, *self.specialised, *self.classic)

    def file(self, part: str) -> Path:
        """`<prefix>_<part>.csv`."""
        return self.results_prefix.with_name(f"{self.results_prefix.name}_{part}.csv")


def train_specialised(keys, progress: bool = True) -> pd.DataFrame:
    """Train (or reuse) each specialised model; one row per model from its manifest."""
    from .train import MANIFEST, specialise

    rows = []
    for key in keys:
        folder = specialise(key, progress=progress)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        rows.append({"model": key, "base": manifest["base"], "recipe": manifest["recipe"]["key"],
                     "kind": manifest["recipe"]["kind"], "seed": manifest["seed"], "pairs": manifest["pairs"],
                     "steps": manifest["steps"], "train_loss": manifest["train_loss"],
                     "seconds": manifest["seconds_this_process"], "resumed": manifest["resumed_from"] is not None,
                     "folder": folder.name})
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, path: Path) -> None:
    with atomic_open(path, "w", newline="") as handle:
        frame.to_csv(handle, index=False)


def compare_with_bases(per_unit: pd.DataFrame, config: SpecialisationConfig, metric: str, unit: str) -> pd.DataFrame:
    """against_base for each base of `config`: the base, the models specialised from it, and every model that is
    not another base's (classic, lexical, ID); rows name their base. `per_unit` holds `metric` per `unit` (a user
    or a query id)."""
    specialised_from = {key: parse_key(key).base for key in config.specialised}
    frames = []
    for base in config.bases:
        keep = {base} | {k for k, b in specialised_from.items() if b == base}
        others = set(per_unit["model"]) - set(config.bases) - set(specialised_from)
        part = per_unit[per_unit["model"].isin(keep | others)]
        if base in set(part["model"]):
            frames.append(against_base(part, metric, base, ("task", "dataset"), unit))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run_specialisation_experiment(config: SpecialisationConfig, progress: bool = True) -> dict[str, pd.DataFrame]:
    """Everything of the experiment, written under the config's prefix; returns the frames by part name."""
    from ..analysis import analyse, write_analysis
    from ..recsys.experiment import SRExperimentConfig, per_user_frame, run_sr_experiment
    from ..recsys.run.spec import PER_USER_FILE
    from ..search.experiment import SearchExperimentConfig, run_search_experiment

    out = {"models": train_specialised(config.specialised, progress)}
    _write(out["models"], config.file("models"))
    units = []
    if config.sr_datasets:
        sr = SRExperimentConfig.from_params(
            datasets=list(config.sr_datasets), backbones=list(config.backbones), encoders=list(config.encoders),
            include_id=config.include_id, seeds=list(config.seeds), profile=config.profile,
            profile_overrides=config.profile_overrides, results_file=str(config.file("sr")))
        out["sr"] = run_sr_experiment(sr, progress=progress, raise_failures=False)
        finished = [s for s in sr.run_specs() if (s.run_dir() / PER_USER_FILE).is_file()]  # failed runs: recorded
        users = per_user_frame(finished)
        users = users[users["backbone"].isin(config.backbones)]  # the popularity floor has no base to pair with
        units.append(("user", config.sr_metric, users.assign(task="sr/" + users["backbone"])))
    if config.search_datasets:
        ps = SearchExperimentConfig.from_params(datasets=list(config.search_datasets),
                                                encoders=[*config.lexical, *config.encoders],
                                                results_file=str(config.file("ps")))
        out["ps"] = run_search_experiment(ps, progress=progress, raise_failures=False)
        queries = pd.read_csv(ps.per_query_file, dtype={"qid": str})
        queries = queries[queries["variant"] == "full"].assign(task="search", seed=0)
        units.append(("qid", config.search_metric, queries))
    datasets = [*config.sr_datasets, *config.search_datasets]
    analysis = analyse(datasets, list(config.encoders), profile=config.profile)
    write_analysis(analysis, config.file("analysis"), config.file("analysis_spectrum"))
    out["analysis"] = analysis.measures
    comparisons = [compare_with_bases(frame, config, metric, unit) for unit, metric, frame in units]
    out["comparison"] = pd.concat([c for c in comparisons if not c.empty] or [pd.DataFrame()], ignore_index=True)
    _write(out["comparison"], config.file("comparison"))
    return out
