"""The product-search experiment behind the Table 2 and Figure 1 notebooks: typed config in, tidy results out.

For every dataset and model: encode the queries (with the model's query prompt) and the pool (item prompt),
optionally project both onto d(alpha) principal components (paper section 5), retrieve the top 100 by cosine over
the whole pool, save the TREC run, and score it with ranx for "All" and each domain. BM25 (ours and the paper's)
runs on the same texts. A dataset with shallow judgments (option shallow_judgments, e.g. Home Depot) is also
scored on condensed lists and by Recall@100 of its highly relevant products (metrics.shallow_metrics), and its
paired tests are run in both views. Every query's values go to `<results>_per_query.csv`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import paths
from ..data.search import SearchDataset, get_search_dataset, prepare_search
from ..encoders.registry import encoder_key, get_encoder
from ..failures import CellFailure, raise_if_failed, write_failures
from ..io import atomic_open, file_name
from ..results import COLUMNS, git_commit, package_versions, write_results
from ..significance import best_against_each_class
from . import metrics as search_metrics
from .bm25 import bm25_settings, bm25_top_k
from .retrieval import PRECISIONS, measured_choices, top_k
from .runfile import read_run, write_qrels, write_run

PAPER_DOMAINS = ("Office_Products", "Sports_and_Outdoors")
LEXICAL = {  # search-only models outside the encoder registry: key -> (name, BM25 formula)
    "bm25": ("BM25 (bm25s)", "ours"),
    "bm25-paper": ("BM25 (paper's normalisation)", "paper"),
}
K = 100
SIGNIFICANCE_FRAME = pd.DataFrame(columns=["dataset", "metric", "model", "mean", "reference", "reference_class",
                                           "reference_mean", "queries", "test", "p_value"])
PER_QUERY_KEYS = ["dataset", "model", "variant", "qid"]


class SearchConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SearchExperimentConfig:
    datasets: tuple[str, ...]
    models: tuple[str, ...]
    pca_alphas: tuple[float, ...]
    domains: tuple[str, ...]
    precision: str
    results_file: Path

    @classmethod
    def from_params(cls, datasets: list[str], encoders: list[str], pca_alphas: list[float] = (),
                    domains: list[str] = PAPER_DOMAINS, precision: str = "auto",
                    results_file: str = "ps_default.csv") -> "SearchExperimentConfig":
        """The validated config of a Table 2 / Figure 1 run, from the notebook's parameters.

        Args:
            datasets: search dataset keys; encoders: encoder keys, mappings {model: <key>, <setting>: <value>}
                (registry.encoder_key) or the lexical "bm25" / "bm25-paper" (the same parameter name as Table 1's,
                so `-p encoders` reaches every notebook).
            pca_alphas: explained-variance fractions for PCA-compressed runs (Figure 1).
            domains: categories scored on their own beside "All".
            precision: exact search's scoring precision ("auto", "fp32", "bf16").
            results_file: under results/ unless absolute.
        """
        for name, value in (("datasets", datasets), ("encoders", encoders)):
            if isinstance(value, str) or not value:
                raise SearchConfigError(f"{name} must be a non-empty list, got {value!r}")
        for key in datasets:
            get_search_dataset(key)
        encoders = [e if e in LEXICAL else encoder_key(e) for e in encoders]  # unknown names list the closest keys
        if isinstance(pca_alphas, (str, int, float)) or any(
                isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 < a < 1 for a in pca_alphas):
            raise SearchConfigError(f"pca_alphas must be a list of explained-variance fractions in (0, 1), e.g. "
                                    f"[0.8, 0.95]; got {pca_alphas!r}")
        if isinstance(domains, str):
            raise SearchConfigError(f"domains must be a list of category names, got the string {domains!r}")
        if precision not in PRECISIONS:
            raise SearchConfigError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        path = Path(results_file)
        if not path.is_absolute():
            path = paths.results_dir() / path
        if path.suffix != ".csv":
            raise SearchConfigError(f"results_file must end in .csv, got {results_file!r}")
        alphas = tuple(float(a) for a in pca_alphas)
        return cls(tuple(datasets), tuple(encoders), alphas, tuple(domains), precision, path)

    @property
    def runs_dir(self) -> Path:
        """TREC run files, beside the results file (git-ignored: they regenerate)."""
        return self.results_file.parent / "runs" / self.results_file.stem

    @property
    def significance_file(self) -> Path:
        return self.results_file.with_name(self.results_file.stem + "_significance.csv")

    @property
    def per_query_file(self) -> Path:
        """Every query's metric values per (dataset, model, variant): what the paired tests are computed from."""
        return self.results_file.with_name(self.results_file.stem + "_per_query.csv")


def model_class(model: str) -> str:
    """'lexical' for a lexical model, else the encoder's model class."""
    return "lexical" if model in LEXICAL else get_encoder(model).model_class


def variant_name(alpha: float | None) -> str:
    """'full' without PCA, else 'pca' and the alpha as a percentage."""
    return "full" if alpha is None else f"pca{round(alpha * 100)}"


def encode_search_texts(model: str, ds: SearchDataset, role: str):
    """The cached embedding of the pool (role "item") or the queries (role "query") of a search dataset."""
    from ..encoders.cache import embed
    from ..text import get_recipe

    item_texts = ds.item_texts()
    texts = item_texts if role == "item" else ds.queries
    return embed(model, texts, dataset=ds.key, recipe_hash=get_recipe(ds.text_recipe).hash, role=role,
                 fit_corpus=item_texts if role == "query" else None, show_progress=True)


def dense_runs(model: str, ds: SearchDataset, alphas: tuple[float, ...], precision: str):
    """(variant, dimension, scores, positions) for the full vectors and each PCA level.

    Args:
        model: an encoder key; ds: the search dataset; alphas: PCA levels; precision: the scoring precision.
    """
    from ..encoders import pca

    items = encode_search_texts(model, ds, "item").vectors
    queries = encode_search_texts(model, ds, "query").vectors
    out = [("full", items.shape[1], *top_k(queries, items, K, precision=precision))]
    if alphas:
        fitted = pca.fit(items)
        for alpha in alphas:
            dim = fitted.effective_dim(alpha)
            projected = top_k(fitted.project(queries, dim), fitted.project(items, dim), K, precision=precision)
            out.append((variant_name(alpha), dim, *projected))
    return out


def _rows(config: SearchExperimentConfig, ds: SearchDataset, model: str, variant: str, dim: int,
          means: pd.DataFrame, seconds: float, run_path: Path) -> list[dict]:
    measured = measured_choices().get(int(dim)) if config.precision == "auto" else None  # (choice, seconds)
    settings = {"k": K, "precision": config.precision, "dim": int(dim), "run_file": paths.for_record(run_path),
                "scoring_precision": measured[0] if measured else config.precision,
                "precision_timings": measured[1] if measured else None,
                "dataset_report": ds.report, "seconds": round(seconds, 2)}
    if model in LEXICAL:  # the formula, tokeniser and its versions change the numbers: keep them with the row
        settings["bm25"] = bm25_settings(LEXICAL[model][1])
    settings = json.dumps(settings, sort_keys=True, default=str)
    base = {"task": "ps", "dataset": ds.key, "backbone": "-", "variant": variant, "model": model,
            "model_class": model_class(model), "split": "test", "seed": 0, "profile": "-", "best_epoch": -1,
            "epochs": 0, "train_seconds": 0.0, "run_id": run_path.stem, "config": settings,
            "versions": json.dumps(package_versions(), sort_keys=True), "git_commit": git_commit()}
    return [{**base, "domain": domain, "metric": metric, "value": float(value)}
            for domain, row in means.iterrows() for metric, value in row.items()]


def qrels_path(config: SearchExperimentConfig, ds: SearchDataset) -> Path:
    """The dataset's qrels in TREC format, in the folder of its run files."""
    return config.runs_dir / ds.key.replace("/", "_") / "qrels.txt"


def score_run(ds: SearchDataset, run: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Per-query metrics of one run: METRICS, plus SHALLOW_METRICS where the dataset's judgments are shallow."""
    per_query = search_metrics.per_query_metrics(ds.qrels, run)
    if ds.spec.options.get("shallow_judgments"):
        shallow = search_metrics.shallow_metrics(ds.qrels, run, ds.spec.options["high_relevance"])
        per_query = per_query.merge(shallow, on="qid", how="left")
    return per_query


def _search_model(config, ds: SearchDataset, model: str, progress: bool) -> tuple[list, dict | None, list]:
    """Result rows of one (dataset, model) for every PCA level, its full-dimension run (None: lexical) and the
    per-query frames."""
    item_ids = ds.items["item_id"].astype(str).to_numpy()
    qids = ds.queries.index.astype(str).tolist()
    start = time.perf_counter()
    if model in LEXICAL:
        scores, positions, empty = bm25_top_k(ds.queries.tolist(), ds.item_texts().tolist(), K,
                                              LEXICAL[model][1], progress=progress)
        results = [("full", 0, scores, positions)]
        ds.report[f"{model}_queries_without_tokens"] = empty
    else:
        results = dense_runs(model, ds, config.pca_alphas, config.precision)
    seconds = time.perf_counter() - start
    rows, full, per_queries = [], None, []
    for variant, dim, scores, positions in results:
        run_path = config.runs_dir / ds.key.replace("/", "_") / f"{file_name(model)}-{variant}.trec"
        write_run(run_path, qids, item_ids, positions, scores, tag=f"{file_name(model)}-{variant}")
        run = read_run(run_path)
        if variant == "full":
            full = run
        per_query = score_run(ds, run)
        means = search_metrics.domain_means(per_query, ds.query_domain, config.domains)
        rows += _rows(config, ds, model, variant, dim, means, seconds, run_path)
        per_queries.append(per_query.assign(dataset=ds.key, model=model, variant=variant))
    return rows, full, per_queries


def run_search_experiment(config: SearchExperimentConfig, progress: bool = True,
                          raise_failures: bool = True) -> pd.DataFrame:
    """Retrieve and score every (dataset, model, PCA level); write the tidy results, the runs and the paired tests.

    A dataset that cannot be prepared or a model that cannot load or encode costs only its own cells: results are
    written after each dataset, the failures listed in `<name>_failures.csv`, and CellsFailed raised at the end
    (raise_failures=False: not raised, so a notebook can draw what finished first and raise in its last cell).
    """
    rows, significance, failures, per_query = [], [], [], []
    for key in config.datasets:
        try:
            ds = prepare_search(key)
        except Exception as exc:  # every model of this dataset fails with it; the other datasets go on
            failures += [CellFailure.from_exception(key, "prepare", model, exc) for model in config.models]
            continue
        write_qrels(qrels_path(config, ds), search_metrics.scaled_gains(ds.qrels))  # beside the runs, for other tools
        runs: dict[str, dict] = {}
        for model in config.models:
            try:
                model_rows, full, model_per_query = _search_model(config, ds, model, progress)
            except Exception as exc:  # e.g. EncoderError: unmet requirements, missing weights, no API key
                failures.append(CellFailure.from_exception(ds.key, "search", model, exc))
                continue
            rows += model_rows
            per_query += model_per_query
            runs[model] = full
        significance.append(best_generalist_tests(ds, runs))
        if ds.spec.options.get("shallow_judgments"):
            significance.append(best_generalist_tests(ds, runs, "ndcg@100_condensed"))
        write_results(pd.DataFrame(rows, columns=COLUMNS), config.results_file)  # what finished survives a crash
        write_per_query(per_query, config.per_query_file)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    write_results(frame, config.results_file)
    write_failures(failures, config.results_file)
    found = [frame for frame in significance if not frame.empty]  # (concatenating empty frames is deprecated)
    tests = pd.concat(found, ignore_index=True).reindex(columns=SIGNIFICANCE_FRAME.columns) if found \
        else SIGNIFICANCE_FRAME
    with atomic_open(config.significance_file, "w", newline="") as handle:
        tests.to_csv(handle, index=False)
    if raise_failures:
        raise_if_failed(failures, config.results_file)
    return frame


def write_per_query(frames: list[pd.DataFrame], path: Path) -> None:
    """The per-query values, keys first and metrics in a fixed order, written atomically."""
    if not frames:
        return
    frame = pd.concat(frames, ignore_index=True)
    metrics = [m for m in (*search_metrics.METRICS, *search_metrics.SHALLOW_METRICS) if m in frame.columns]
    with atomic_open(path, "w", newline="") as handle:
        frame[PER_QUERY_KEYS + metrics].to_csv(handle, index=False, float_format="%.6g")


def best_generalist_tests(ds: SearchDataset, runs: dict[str, dict], metric: str = "ndcg@100") -> pd.DataFrame:
    """ranx's paired t-test: the best generalist against the best model of each other class, on nDCG@100 or, for
    `metric` "ndcg@100_condensed", on nDCG@100 of the condensed runs (unjudged products removed)."""
    if not runs:
        return SIGNIFICANCE_FRAME
    if metric == "ndcg@100_condensed":
        runs = {m: search_metrics.condensed_run(r, ds.qrels) for m, r in runs.items()}
    elif metric != "ndcg@100":
        raise ValueError(f"paired tests run on 'ndcg@100' or 'ndcg@100_condensed', got {metric!r}")
    scored = {m: search_metrics.per_query_metrics(ds.qrels, r, ("ndcg@100",))["ndcg@100"].mean()
              for m, r in runs.items()}
    rows = []
    for best, reference_class, other in best_against_each_class(scored, {m: model_class(m) for m in runs}):
        test = search_metrics.paired_test(ds.qrels, {best: runs[best], other: runs[other]})
        rows.append({"dataset": ds.key, "metric": metric, "model": best, "mean": scored[best], "reference": other,
                     "reference_class": reference_class, "reference_mean": scored[other],
                     "queries": len(ds.queries), "test": "paired t-test (ranx)", "p_value": test["p_value"].iloc[0]})
    if not rows:
        return SIGNIFICANCE_FRAME
    return pd.DataFrame(rows)
