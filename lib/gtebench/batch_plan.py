"""The cells of a batch, resolved without starting a kernel: what each notebook of it encodes and trains.

Each notebook's parameters are its defaults (the cell tagged 'parameters'), then the batch's, then -p; Table 1
and the search notebooks are resolved by their own config classes (SRExperimentConfig, SearchExperimentConfig), so
a parameter the notebook would refuse is refused here. plan_estimate() turns the plans into GPU hours
(gtebench.estimate); gtebench.dryrun checks what they need.
"""

from __future__ import annotations

import inspect
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import estimate as est
from .dryrun_checks import Finding


@dataclass
class NotebookPlan:
    notebook: str
    parameters: dict  # the notebook's defaults, then the batch's parameters, then -p
    summary: str  # the cells in words: "3 datasets x 3 backbones x ... = 51 training runs"
    datasets: list[tuple[str, str]] = field(default_factory=list)  # (dataset, "sr" or "search")
    wanted: list[str] = field(default_factory=list)  # every encoder key the parameters name (unknown ones too)
    encodings: set[tuple[str, str, str]] = field(default_factory=set)  # (dataset, encoder, "item" or "query")
    runs: Counter = field(default_factory=Counter)  # (dataset, "id" or encoder) -> training runs
    problems: list[Finding] = field(default_factory=list)  # parameters the notebook would refuse
    specialisations: dict = field(default_factory=dict)  # specialised key -> _pairs_of(...) or None


# ---------------------------------------------------------------- resolving the notebooks


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _keys(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []


def _encoder_keys(plan: NotebookPlan) -> list[str]:
    """The encoder keys the notebook's `encoders` name: strings as they are, mappings {model, settings} as
    registry.encoder_key makes them (a bad mapping is a problem of the notebook, reported with the others)."""
    from .encoders.registry import encoder_key

    keys = []
    value = plan.parameters.get("encoders")
    for entry in value if isinstance(value, (list, tuple)) else []:
        try:
            keys.append(entry if isinstance(entry, str) else encoder_key(entry))
        except ValueError as exc:
            plan.problems.append(Finding("problem", plan.notebook, f"{exc}: fix its parameters (-p or the batch)"))
    return keys


def _known(keys: list[str], lookup) -> list[str]:
    """The keys the registry knows; the others are reported by the dataset and encoder checks."""
    known = []
    for key in keys:
        try:
            lookup(key)
            known.append(key)
        except ValueError:
            pass
    return known


def _config(factory, params: dict, plan: NotebookPlan, **given):
    """The notebook's own config (factory.from_params) from its parameters, or None with the refusal recorded."""
    accepted = inspect.signature(factory.from_params).parameters
    kwargs = {**{k: v for k, v in params.items() if k in accepted}, **given}
    try:
        return factory.from_params(**kwargs)
    except ValueError as exc:  # ConfigError, ProfileError, BackboneError, ...: the notebook would stop here
        plan.problems.append(Finding("problem", plan.notebook, f"{exc}: fix its parameters (-p or the batch)"))
        return None


def _plan_table1(plan: NotebookPlan) -> None:
    from .data.registry import get_dataset
    from .encoders.registry import get_encoder
    from .recsys.backbones import get_backbone
    from .recsys.experiment import SRExperimentConfig

    params = plan.parameters
    named, plan.wanted = _keys(params.get("datasets")), _encoder_keys(plan)
    plan.datasets = [(d, "sr") for d in named]
    datasets, encoders = _known(named, get_dataset), _known(plan.wanted, get_encoder)
    plan.encodings = {(d, e, "item") for d in datasets for e in encoders}
    backbones, seeds = _keys(params.get("backbones")), params.get("seeds")
    seeds = seeds if isinstance(seeds, (list, tuple)) else []  # a bare 2020 is the config's refusal, below
    config = None
    if datasets and (encoders or not plan.wanted):  # unknown keys are the checks' to report, not the config's
        config = _config(SRExperimentConfig, params, plan, datasets=datasets, encoders=encoders)
    if config is not None:
        plan.runs = Counter((r.dataset, r.encoder or "id") for r in config.run_specs() if r.backbone != "popularity")
    alphas = params.get("pca_alphas") or []
    text = _n(len(plan.wanted), "encoder") + (f" x {1 + len(alphas)} sizes (full, PCA)" if alphas else "")
    models = f"ID + {text}" if params.get("include_id", True) else text
    text_only = [b for b in backbones if _variants(get_backbone, b) == ("text",)]
    plan.summary = (f"{_n(len(named), 'dataset')} x {_n(len(backbones), 'backbone')} x ({models}) x "
                    f"{_n(len(seeds), 'seed')}: {_n(sum(plan.runs.values()), 'training run')}"
                    + (f" ({', '.join(text_only)}: text only)" if text_only else "")
                    + (", + the popularity floor" if params.get("include_popularity", True) else ""))


def _variants(get_backbone, key: str) -> tuple:
    try:
        return get_backbone(key).variants
    except ValueError:
        return ()


def _plan_search(plan: NotebookPlan) -> None:
    from .data.search import get_search_dataset
    from .encoders.registry import get_encoder
    from .search.experiment import LEXICAL, SearchExperimentConfig

    params = plan.parameters
    datasets, models = _keys(params.get("datasets")), _encoder_keys(plan)
    plan.datasets = [(d, "search") for d in datasets]
    plan.wanted = [m for m in models if m not in LEXICAL]
    known, dense = _known(datasets, get_search_dataset), _known(plan.wanted, get_encoder)
    plan.encodings = {(d, e, role) for d in known for e in dense for role in ("item", "query")}
    lexical = [m for m in models if m in LEXICAL]
    if known and (dense or lexical):
        _config(SearchExperimentConfig, params, plan, datasets=known, encoders=lexical + dense)
    sizes = 1 + len(params.get("pca_alphas") or []) if plan.notebook.startswith("figure1") else 1
    cells = len(datasets) * len(models) * sizes
    plan.summary = (f"{_n(len(datasets), 'dataset')} x {_n(len(models), 'model')}"
                    + (f" ({len(lexical)} lexical)" if lexical else "")
                    + (f" x {sizes} sizes (full, PCA)" if sizes > 1 else "") + f": {_n(cells, 'cell')}")


def _plan_analysis(plan: NotebookPlan) -> None:
    from .data.search import SEARCH_DATASETS
    from .encoders.registry import get_encoder

    datasets, plan.wanted = _keys(plan.parameters.get("datasets")), _encoder_keys(plan)
    plan.datasets = [(d, "search" if d in SEARCH_DATASETS else "sr") for d in datasets]
    plan.encodings = {(d, e, "item") for d in datasets for e in _known(plan.wanted, get_encoder)}
    cells = len(datasets) * len(plan.wanted)
    plan.summary = f"{_n(len(datasets), 'dataset')} x {_n(len(plan.wanted), 'encoder')}: {_n(cells, 'cell')}"


def _plan_specialisation(plan: NotebookPlan) -> None:
    """Its recommendation cells as Table 1's and its search cells as Table 2's, over the bases, their specialised
    versions and the classic encoders; each specialisation's own training in plan.specialisations (pairs known
    from its recipe's sample size, or by counting a `pairs:` file's rows)."""
    from .specialise.experiment import SpecialisationConfig

    params = plan.parameters
    config = _config(SpecialisationConfig, params, plan)
    if config is None:
        plan.summary = "refused (see the problems)"
        return
    sr = NotebookPlan(plan.notebook, {**params, "datasets": list(config.sr_datasets), "encoders": list(config.encoders),
                                      "include_popularity": False}, "")
    search = NotebookPlan(plan.notebook, {"datasets": list(config.search_datasets),
                                          "encoders": [*config.lexical, *config.encoders]}, "")
    if config.sr_datasets:
        _plan_table1(sr)
    if config.search_datasets:
        _plan_search(search)
    plan.datasets, plan.wanted = sr.datasets + search.datasets, list(dict.fromkeys(sr.wanted + search.wanted))
    plan.encodings, plan.runs = sr.encodings | search.encodings, sr.runs
    plan.problems += sr.problems + search.problems
    plan.specialisations = {key: _pairs_of(key, plan) for key in config.specialised}
    plan.summary = (f"{_n(len(config.specialised), 'specialisation')}, then recommendation: {sr.summary or 'none'}; "
                    f"search: {search.summary or 'none'}")


def _pairs_of(key: str, plan: NotebookPlan) -> tuple[str, int, int, int, int] | None:
    """(base, pairs, texts per pair, tokens per text, epochs) of a specialised key for the estimate; None (with a
    warning) when a pairs file cannot be counted here."""
    from .specialise.recipes import parse_key

    parsed = parse_key(key)
    recipe = parsed.recipe
    texts = 3 if recipe.builder == "query_product_pairs" else 2  # its hard negative is a third text
    pairs = recipe.max_pairs
    if pairs is None:  # a pairs: file, every row
        path = Path(dict(recipe.options)["path"]).expanduser()
        if not path.is_file():
            plan.problems.append(Finding("warning", key, f"pairs file {path} not here: its training is not in the "
                                         "estimate"))
            return None
        pairs = max(0, sum(1 for _ in path.open(encoding="utf-8")) - (path.suffix == ".csv"))
    return parsed.base, pairs, texts, recipe.max_seq_length, recipe.epochs


def resolve_notebooks(selected: list[tuple]) -> list[NotebookPlan]:
    """Each (NotebookRun, the parameters papermill would pass) as a NotebookPlan: the notebook's defaults under
    them, the cells they make, and what they need."""
    from .batches import notebook_parameters, notebooks_dir

    plans = []
    for run, passed in selected:
        plan = NotebookPlan(run.notebook, {**notebook_parameters(notebooks_dir() / run.notebook), **passed}, "")
        if run.notebook.startswith("table1"):
            _plan_table1(plan)
        elif run.notebook.startswith(("table2", "figure1")):
            _plan_search(plan)
        elif run.notebook.startswith("embedding_analysis"):
            _plan_analysis(plan)
        elif run.notebook.startswith("specialisation"):
            _plan_specialisation(plan)
        elif run.notebook.startswith("dataset_statistics"):
            sr, search = _keys(plan.parameters.get("sr_datasets")), _keys(plan.parameters.get("search_datasets"))
            plan.datasets = [(d, "sr") for d in sr] + [(d, "search") for d in search]
            plan.summary = f"statistics of {len(plan.datasets)} datasets (a missing one is listed, not an error)"
        else:
            plan.summary = "reads the results files (nothing to check)"
        plans.append(plan)
    return plans


def plan_estimate(plans: list[NotebookPlan]) -> est.Estimate:
    """GPU hours of the plans: each (dataset, encoder, role) encoded once however many notebooks use it, every
    training run counted; datasets of unknown size are left out (the dry run warns)."""
    encoding: dict[tuple[str, str], float] = {}
    for dataset, encoder, role in sorted(set().union(*(p.encodings for p in plans))):
        size = est.data_size(dataset)
        if size is not None and (role == "item" or "queries" in size):
            texts, tokens = ((size["items"], est.TOKENS_PER_ITEM) if role == "item"
                             else (size["queries"], est.TOKENS_PER_QUERY))
            encoding[(dataset, encoder)] = encoding.get((dataset, encoder), 0.0) + est.encoding_hours(
                encoder, texts, tokens)
    runs = sum((p.runs for p in plans), Counter())
    trained = sorted({d for d, _ in runs if est.data_size(d) and "rows" in est.data_size(d)})
    training = est.estimate(sr={"datasets": trained, "encoders": [], "runs_by_model": dict(runs)})
    specialisation = {key: est.specialisation_hours(*cost) for p in plans
                      for key, cost in p.specialisations.items() if cost is not None}
    return est.Estimate(encoding, training.training, training.training_by_model, specialisation)
