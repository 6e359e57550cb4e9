"""The batches of notebooks and their parameters, resolved without starting a kernel.

A *batch* is a list of notebooks with their parameters (BATCHES, or a YAML file, load_batch); each notebook
declares its parameters in its cell tagged 'parameters' (notebook_parameters); select_runs applies --only and -p
and refuses a -p name that no selected notebook declares. gtebench.reproduce executes batches; gtebench.batch_plan
and gtebench.dryrun read them without running anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from . import paths
from .encoders.registry import PAPER_ENCODERS
from .hints import did_you_mean

PAPER_ENCODER_KEYS = tuple(spec.key for spec in PAPER_ENCODERS)


@dataclass(frozen=True)
class NotebookRun:
    notebook: str  # file name in notebooks/
    parameters: dict = field(default_factory=dict)
    custom: bool = False  # set by select_runs when the run's parameters depart from the batch's (redirect_outputs)


PAPER_SR_DATASETS = ["amazon2023/All_Beauty", "amazon2023/Video_Games", "amazon2023/Baby_Products"]
PAPER_SR_ENCODERS = ["blair-base", "blair-large", "text-embedding-3-large", "nv-embed-v2", "kalm"]
PAPER_PS_ENCODERS = ["roberta-base", "colbertv2", "blair-base", "blair-large", "mgte", "instructor-xl",
                     "sentence-t5-xxl", "kalm", "jasper", "gte-qwen2", "nv-embed-v2", "text-embedding-3-large"]
GPU_BATCHES = {"paper"}  # batches that print a GPU-hour estimate before they start

BATCHES: dict[str, list[NotebookRun]] = {
    "default": [
        NotebookRun("table1_sequential_recommendation.ipynb", {"profile": "default"}),
        NotebookRun("table2_product_search.ipynb"),
        NotebookRun("figure1_pca_compression.ipynb"),
        NotebookRun("dataset_statistics.ipynb"),
        NotebookRun("embedding_analysis.ipynb"),
        NotebookRun("paper_vs_ours.ipynb"),  # last: it reads what the others wrote
    ],
    # Amazon 2018 Industrial_and_Scientific 5-core (../shared/data), the closest real stand-in for the paper's
    # Amazon 2023 categories that ships here; every backbone, ID and text, with MiniLM and TF-IDF. all-mpnet-base-v2
    # is left out by default: encoding the 4,344 long item texts at 384 tokens is ~50 minutes of fp32 matmuls on a
    # 2-core AVX2 CPU (-p encoders '["minilm-l6", "mpnet-base", "tfidf-svd"]' adds it; finished runs are reused).
    "scientific": [
        NotebookRun(
            "table1_sequential_recommendation.ipynb",
            {"profile": "default", "datasets": ["amazon2018/Scientific"], "seeds": [2020],
             "encoders": ["minilm-l6", "tfidf-svd"],
             "backbones": ["sasrec", "gru4rec", "bert4rec", "unisrec"],
             "results_file": "sr_amazon2018_scientific.csv", "figure_file": "sr_amazon2018_scientific"},
        ),
    ],
    # Home Depot product search (../shared/data/homedepot_search): the paper's Table 2 and Figure 1 protocol on a real
    # 54,667-title catalogue with real queries and shallow human judgments, test queries only; a stand-in for the
    # paper's ESCI / Amazon-C4 pools, not a paper cell. Every offline model, exact top 100 over the whole pool.
    "homedepot": [
        NotebookRun(
            "table2_product_search.ipynb",
            {"datasets": ["homedepot"], "encoders": ["bm25", "bm25-paper", "minilm-l6", "mpnet-base", "tfidf-svd"],
             "domains": [], "results_file": "ps_homedepot.csv", "figure_file": "ps_homedepot"},
        ),
        NotebookRun(
            "figure1_pca_compression.ipynb",
            {"datasets": ["homedepot"], "encoders": ["minilm-l6", "mpnet-base", "tfidf-svd"], "pca_alphas": [0.8, 0.95],
             "results_file": "ps_pca_homedepot.csv", "figure_file": "figure1_pca_homedepot"},
        ),
    ],
    # Do we really need specialisation? MiniLM off the shelf against its three specialised versions (blair-reviews,
    # next-item, search-queries), with TF-IDF + SVD, BM25 and ID items: SASRec and GRU4Rec on Scientific, ml-100k and
    # Steam (3 seeds), search on Home Depot and the ESCI sample, and the embedding-space analysis; the notebook's
    # own parameters are the batch's. Needs ../shared/data (the review sets, Scientific, Home Depot, Steam).
    "specialisation": [NotebookRun("specialisation.ipynb")],
    # The paper's full grid; needs the downloads and a GPU (an estimate of the GPU hours prints first).
    "paper": [
        NotebookRun(
            "table1_sequential_recommendation.ipynb",
            {"profile": "paper", "datasets": PAPER_SR_DATASETS, "backbones": ["gru4rec", "sasrec", "unisrec"],
             "seeds": [2020],  # the paper: one run, RecBole's default seed
             "encoders": PAPER_SR_ENCODERS, "results_file": "sr_paper.csv", "figure_file": "sr_paper"},
        ),
        NotebookRun(
            "table2_product_search.ipynb",
            {"datasets": ["esci", "amazon-c4"], "encoders": ["bm25", "bm25-paper", *PAPER_PS_ENCODERS],
             "results_file": "ps_paper.csv", "figure_file": "ps_paper"},
        ),
        NotebookRun(
            "figure1_pca_compression.ipynb",
            {"datasets": ["esci", "amazon-c4"],
             "encoders": [m for m in PAPER_PS_ENCODERS if m not in ("roberta-base", "colbertv2")],
             "results_file": "ps_pca_paper.csv", "figure_file": "figure1_pca_paper"},
        ),
        # The paper's PCA analysis is of its product-search catalogues, with every vector model of its Table 2
        # (BM25 has no vectors; text-embedding-3-large needs OPENAI_API_KEY).
        NotebookRun(
            "embedding_analysis.ipynb",
            {"datasets": ["esci", "amazon-c4"], "encoders": list(PAPER_ENCODER_KEYS), "profile": "paper",
             "results_file": "analysis_paper.csv", "spectrum_file": "analysis_spectrum_paper.csv",
             "figure_prefix": "embedding_paper"},
        ),
        NotebookRun("paper_vs_ours.ipynb"),
    ],
}


def notebooks_dir() -> Path:
    """The checkout's notebooks folder; a regular install has none."""
    root = paths.repo_root()
    if root is None:
        raise FileNotFoundError("the notebooks ship with the repository checkout; run from a clone (pip install -e .)")
    return root / "notebooks"


def notebook_parameters(path: Path) -> dict:
    """The parameters a notebook declares (its cell tagged 'parameters') and their default values (None where
    a default is not a literal)."""
    import ast

    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            values = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in (t for t in targets if isinstance(t, ast.Name)):
                        try:
                            values[target.id] = ast.literal_eval(node.value)
                        except ValueError:
                            values[target.id] = None
            return values
    raise ValueError(f"{path} has no cell tagged 'parameters'")


def declared_parameters(path: Path) -> set[str]:
    """The names of the parameters a notebook declares."""
    return set(notebook_parameters(path))


def check_overrides(overrides: dict, declared_by: dict[str, set[str]]) -> None:
    """Before any kernel starts: a -p name that no notebook of the run declares is an error (a typo would
    otherwise be ignored and the batch run with its defaults); scoped names (`table1.seeds`) are
    scoped_overrides' to check. An output file (OUTPUT_PARAMETERS) given unscoped to several notebooks is an
    error too: they would all write the one file."""
    known = set().union(*declared_by.values()) if declared_by else set()
    for name in overrides:
        if "." not in name and name not in known:
            raise ValueError(f"-p {name}: no notebook of this run has that parameter; valid: {sorted(known)}."
                             f"{did_you_mean(name, known)}")
        writers = sorted(notebook for notebook, declared in declared_by.items() if name in declared)
        if name in OUTPUT_PARAMETERS and len(writers) > 1:  # one file for every notebook: each overwrites the last
            scope = notebook_scopes(min(writers, key=lambda n: (not n.startswith("table"), n)))[0]
            raise ValueError(f"-p {name}: {len(writers)} notebooks of this run write it ({', '.join(writers)}), so "
                             f"each would overwrite the last; give it to one notebook, e.g. -p {scope}.{name} "
                             f"{overrides[name]!r}, or run one with --only {scope}")


def notebook_scopes(notebook: str) -> tuple[str, str]:
    """The names a scoped -p may use for a notebook: its file name up to the first '_' (table1, figure1, ...) and
    its whole stem (dataset_statistics, embedding_analysis, ...)."""
    stem = Path(notebook).stem
    return stem.split("_")[0], stem


def scoped_overrides(overrides: dict, declared_by: dict[str, set[str]]) -> dict[str, dict]:
    """notebook -> {parameter: value} of the scoped names in overrides: `-p table1.seeds '[2020]'` sets seeds in
    the notebook whose short name (notebook_scopes) is table1 only. An unknown notebook or a parameter that the
    notebook does not declare is a ValueError listing the valid ones. `scope` is either name of notebook_scopes."""
    scopes = {scope: notebook for notebook in declared_by for scope in notebook_scopes(notebook)}
    out: dict[str, dict] = {}
    for name, value in overrides.items():
        if "." not in name:
            continue
        scope, _, parameter = name.partition(".")
        if scope not in scopes:
            raise ValueError(f"-p {name}: no notebook of this run is called {scope!r}; valid: {sorted(scopes)}."
                             f"{did_you_mean(scope, scopes)}")
        declared = declared_by[scopes[scope]]
        if parameter not in declared:
            raise ValueError(f"-p {name}: {scopes[scope]} has no parameter {parameter!r}; valid: {sorted(declared)}."
                             f"{did_you_mean(parameter, declared)}")
        out.setdefault(scopes[scope], {})[parameter] = value
    return out


def load_batch(batch: str) -> list[NotebookRun]:
    """A batch by name (BATCHES) or from a YAML file, so a user adds one without editing code:

        notebooks:
          - notebook: table1_sequential_recommendation.ipynb
            parameters: {datasets: ["custom:/data/my_shop"], encoders: ["hf:BAAI/bge-small-en-v1.5"]}
    """
    import yaml

    if batch in BATCHES:
        return BATCHES[batch]
    path = Path(batch)
    if path.suffix not in (".yaml", ".yml"):
        raise ValueError(f"unknown batch {batch!r}; known: {sorted(BATCHES)}, or a .yaml file."
                         f"{did_you_mean(batch, BATCHES)}")
    if not path.is_file():
        raise FileNotFoundError(f"batch file {path} does not exist")
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = spec.get("notebooks") if isinstance(spec, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a mapping with a non-empty 'notebooks' list of {{notebook, parameters}}")
    runs = []
    for number, entry in enumerate(entries, 1):
        if (not isinstance(entry, dict) or not isinstance(entry.get("notebook"), str)
                or not isinstance(entry.get("parameters", {}), dict)):
            raise ValueError(f"{path}: notebooks entry {number} must be "
                             f"{{notebook: <file>.ipynb, parameters: {{...}}}}, got {entry!r}")
        if not (notebooks_dir() / entry["notebook"]).is_file():
            raise ValueError(f"{path}: notebooks entry {number} names {entry['notebook']!r}, not a notebook in "
                             f"{notebooks_dir()}: {sorted(p.name for p in notebooks_dir().glob('*.ipynb'))}")
        runs.append(NotebookRun(entry["notebook"], entry.get("parameters", {})))
    return runs


def select_runs(runs: list[NotebookRun], overrides: dict | None = None,
                only: list[str] | None = None) -> list[tuple[NotebookRun, dict]]:
    """The notebooks of `runs` that a run executes, each with the parameters papermill passes it: the batch's,
    then the overrides it declares, then those scoped to it (`table1.seeds`); a bad --only or -p raises here,
    before any kernel starts. A run whose parameters differ from the batch's writes its outputs under
    CUSTOM_OUTPUT (redirect_outputs), never over the committed ones."""
    all_runs = runs
    overrides = overrides or {}
    if only:
        runs = [r for r in runs if any(o in r.notebook for o in only)]
        if not runs:
            raise ValueError(f"--only {only} matches no notebook of the batch: {[r.notebook for r in all_runs]}")
    defaults = {run.notebook: notebook_parameters(notebooks_dir() / run.notebook) for run in runs}
    declared_by = {notebook: set(values) for notebook, values in defaults.items()}
    check_overrides(overrides, declared_by)
    scoped = scoped_overrides(overrides, declared_by)
    selected = [(run, {**run.parameters, **{k: v for k, v in overrides.items() if k in declared_by[run.notebook]},
                       **scoped.get(run.notebook, {})}) for run in runs]
    return redirect_outputs(selected, defaults)


# Parameters naming what a notebook writes (under results/ or figures/ unless absolute), and those of the report.
OUTPUT_PARAMETERS = ("results_file", "figure_file", "spectrum_file", "figure_prefix", "results_prefix")
CUSTOM_OUTPUT = "custom"  # results/custom/, figures/custom/, results/executed/<...>/custom/: git-ignored


def redirect_outputs(selected: list[tuple[NotebookRun, dict]], defaults: dict[str, dict]) -> list[tuple[NotebookRun,
                                                                                                        dict]]:
    """The selected notebooks with their outputs moved under CUSTOM_OUTPUT when any notebook's parameters differ
    from what its batch gives it (its batch parameters over its own defaults): every output parameter the user did
    not set to another value gets `custom/` in front (the report reads and writes there, README untouched), and
    each NotebookRun is marked custom (its executed copy goes to a custom/ folder too).

    Args:
        selected: (notebook run, resolved parameters) pairs, from select_runs.
        defaults: notebook -> its declared parameters and defaults (notebook_parameters).
    """
    committed = [{**defaults[run.notebook], **run.parameters} for run, _ in selected]
    departs = any(value != base.get(name) for (_, parameters), base in zip(selected, committed)
                  for name, value in parameters.items() if name not in OUTPUT_PARAMETERS)
    if not departs:
        return selected
    redirected = []
    for (run, parameters), base in zip(selected, committed):
        parameters = dict(parameters)
        for name in OUTPUT_PARAMETERS:
            if name not in base:
                continue
            if parameters.get(name, base[name]) != base[name]:
                continue  # the user named this output: theirs, not the committed one
            value = str(base[name])
            parameters[name] = value if Path(value).is_absolute() else f"{CUSTOM_OUTPUT}/{value}"
        report = "results_dir" in base  # the report reads the others' results and may rewrite README.md
        if report and parameters.get("results_dir", base["results_dir"]) == base["results_dir"]:
            parameters["results_dir"] = str(paths.results_dir() / CUSTOM_OUTPUT)
            parameters["write_readme"] = False
        redirected.append((replace(run, custom=True), parameters))
    return redirected
