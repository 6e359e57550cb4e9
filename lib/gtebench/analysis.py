"""Embedding-space analysis: how evenly an encoder spreads the variance of its item vectors over its dimensions.

From the paper (section 3.2, its Figure 1): the explained-variance spectrum and the
alpha-effective dimension d(alpha) for alpha 0.80 and 0.95, both from the PCA of gtebench.encoders.pca (a seeded
sample of up to 100,000 item vectors, the authors' code-level definition).

Additions, not computed in the paper (each row says so: config "source" = "addition"):
- IsoScore (Rudman et al., Findings of ACL 2022, Algorithm 1): the covariance eigenvalues are the variance vector of
  the PCA-reoriented cloud; normalised to norm sqrt(D), their distance to the isotropic diagonal (1, ..., 1) gives
  the isotropy defect, then the fraction of dimensions used and the score in [0, 1] (1: isotropic, 0: one
  direction). Computed from the eigenvalues the PCA already has, so it is of the same sample; the reference package
  (PyPI `IsoScore`) recomputes the covariance of its input in torch and is used by the tests as a cross-check.
- Effective rank (Roy & Vetterli, EUSIPCO 2007): exp of the Shannon entropy of the normalised spectrum. Taken over
  the covariance eigenvalues (the effective rank of the covariance matrix), so it reads on the same scale as
  d(alpha): between 1 (one direction) and D (all directions equal).
- Mean pairwise cosine over all distinct item pairs, EXACT and over every item (not the sample): with unit rows
  u_i, sum_{i != j} u_i . u_j = |sum_i u_i|^2 - n, so it costs one pass over the vectors.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .encoders import pca as pca_module
from .io import atomic_open, stable_hash
from .results import COLUMNS, git_commit, package_versions, write_results

TASK = "embedding"  # the results kind of these rows (gtebench.results: task column)
ALPHAS = pca_module.ALPHAS
BLOCK = 8192  # rows per block when checking values and summing unit vectors

# Every measure as plain data: its label in tables and figures, and whether the paper computes it.
MEASURES: dict[str, tuple[str, str]] = {
    "dim": ("dimension D", "paper"),
    "d80": ("d(0.80)", "paper"),
    "d95": ("d(0.95)", "paper"),
    "isoscore": ("IsoScore", "addition"),
    "isotropy_defect": ("isotropy defect", "addition"),
    "fraction_dims_used": ("fraction of dims used", "addition"),
    "effective_rank": ("effective rank", "addition"),
    "mean_cosine": ("mean pairwise cosine", "addition"),
}
SPECTRUM_COLUMNS = ["dataset", "model", "model_class", "component", "eigenvalue", "ratio", "cumulative"]


class AnalysisError(ValueError):
    """Input the analysis cannot measure: too few rows, non-finite values, zero vectors, or a bad alpha."""


def alpha_key(alpha: float) -> str:
    """The metric name of d(alpha): "d80" for 0.80 (the name PCA.summary uses)."""
    return f"d{round(alpha * 100)}"


def measure_info(metric: str) -> tuple[str, str]:
    """(label, source) of a measure; d(alpha) for any alpha is the paper's."""
    if metric in MEASURES:
        return MEASURES[metric]
    if metric[:1] == "d" and metric[1:].isdigit():
        return f"d({int(metric[1:]) / 100:.2f})", "paper"
    raise AnalysisError(f"unknown measure {metric!r}; known: {sorted(MEASURES)} and d<percent>")


def check_alphas(alphas) -> tuple[float, ...]:
    """The alphas as floats, each checked to lie in (0, 1]."""
    alphas = tuple(float(a) for a in alphas)
    bad = [a for a in alphas if not 0 < a <= 1]
    if not alphas or bad:
        raise AnalysisError(f"alphas must be in (0, 1], got {list(alphas)}; the paper uses 0.80 and 0.95")
    return alphas


def check_vectors(vectors: np.ndarray, name: str = "vectors") -> np.ndarray:
    """A 2-d array of finite values with at least 2 rows (one item has no spread to measure)."""
    if not hasattr(vectors, "ndim"):  # a list; arrays (memory-mapped ones too) are used as they are
        vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] < 2 or vectors.shape[1] < 1:
        raise AnalysisError(f"{name}: need a 2-d array with at least 2 rows and 1 column, got shape {vectors.shape}")
    # In blocks: a full boolean mask of a million 4096-d vectors would be another 4 GB.
    finite = np.concatenate([np.isfinite(vectors[start : start + BLOCK]).all(axis=1)
                             for start in range(0, vectors.shape[0], BLOCK)])
    if not finite.all():
        rows = np.flatnonzero(~finite)
        raise AnalysisError(f"{name}: {rows.size} row(s) with NaN or inf, e.g. rows {rows[:5].tolist()}; "
                            f"re-encode them (delete the cached embedding file)")
    return vectors


def check_spectrum(eigenvalues) -> np.ndarray:
    """The eigenvalues as a float64 array, checked to be 1-d, finite, non-negative and not all zero."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    if eigenvalues.ndim != 1 or eigenvalues.size < 1 or not np.isfinite(eigenvalues).all():
        raise AnalysisError(f"eigenvalues: need a 1-d array of finite values, got shape {eigenvalues.shape}")
    if (eigenvalues < 0).any():
        raise AnalysisError(f"eigenvalues: a covariance has none below 0, got {eigenvalues.min()}")
    if eigenvalues.sum() <= 0:
        raise AnalysisError("eigenvalues: all zero (every vector is the same); there is no spread to measure")
    return eigenvalues


def isoscore(eigenvalues) -> dict[str, float]:
    """IsoScore and its two intermediate quantities from the covariance eigenvalues (Rudman et al. 2022, Alg. 1).

    Returns isoscore (in [0, 1]), isotropy_defect (in [0, 1]: 0 isotropic) and fraction_dims_used (in [1/D, 1]).
    """
    variances = check_spectrum(eigenvalues)
    n = variances.size
    if n == 1:  # one dimension is isotropic by definition; the formula divides by n - 1
        return {"isoscore": 1.0, "isotropy_defect": 0.0, "fraction_dims_used": 1.0}
    normalised = math.sqrt(n) * variances / np.linalg.norm(variances)
    defect = float(np.linalg.norm(normalised - 1.0) / math.sqrt(2 * (n - math.sqrt(n))))
    fraction = (n - defect**2 * (n - math.sqrt(n))) ** 2 / n**2
    score = (n * fraction - 1) / (n - 1)
    return {"isoscore": float(score), "isotropy_defect": defect, "fraction_dims_used": float(fraction)}


def effective_rank(eigenvalues) -> float:
    """exp(H(p)) with p the eigenvalues over their sum and 0 log 0 = 0 (Roy & Vetterli 2007)."""
    p = check_spectrum(eigenvalues)
    p = p[p > 0] / p.sum()
    return float(np.exp(-(p * np.log(p)).sum()))


def mean_pairwise_cosine(vectors: np.ndarray, block: int = BLOCK) -> float:
    """The exact mean cosine similarity over all n(n-1)/2 distinct pairs of rows (float64, one pass in blocks)."""
    vectors = check_vectors(vectors)
    n, total = vectors.shape[0], np.zeros(vectors.shape[1])
    for start in range(0, n, block):
        rows = np.asarray(vectors[start : start + block], dtype=np.float64)
        norms = np.linalg.norm(rows, axis=1)
        if (norms == 0).any():
            zero = start + np.flatnonzero(norms == 0)
            raise AnalysisError(f"{zero.size} all-zero row(s) have no direction, e.g. rows {zero[:5].tolist()}")
        total += (rows / norms[:, None]).sum(axis=0)
    return float((total @ total - n) / (n * (n - 1)))


def embedding_measures(vectors: np.ndarray, *, alphas=ALPHAS, sample_size: int = pca_module.SAMPLE_SIZE,
                       seed: int = pca_module.SEED) -> tuple[dict[str, float], pd.DataFrame, pca_module.PCA]:
    """Every measure of MEASURES for one matrix of item vectors, its explained-variance spectrum, and the PCA.

    Args:
        vectors: (items, dim) item embeddings.
        alphas: explained-variance fractions whose d(alpha) is measured.
        sample_size, seed: the PCA's seeded sample of items.
    """
    alphas = check_alphas(alphas)
    vectors = check_vectors(vectors)
    fitted = pca_module.fit(vectors, sample_size=sample_size, seed=seed)
    measures = {"dim": float(vectors.shape[1])}
    measures.update({alpha_key(a): float(fitted.effective_dim(a)) for a in alphas})
    measures.update(isoscore(fitted.eigenvalues))
    measures["effective_rank"] = effective_rank(fitted.eigenvalues)
    measures["mean_cosine"] = mean_pairwise_cosine(vectors)
    return measures, fitted.spectrum(), fitted


@dataclass
class Analysis:
    measures: pd.DataFrame  # tidy results rows (gtebench.results.COLUMNS), task "embedding", one per measure
    spectrum: pd.DataFrame  # SPECTRUM_COLUMNS: one row per dataset, model and principal component


def item_texts(dataset: str) -> tuple[pd.Series, str]:
    """The item texts of a dataset and its text recipe's hash: a product-search key of SEARCH_DATASETS, else a
    sequential-recommendation key (gtebench.data.DATASETS, including custom:<folder>)."""
    from .data import prepare
    from .data.search import SEARCH_DATASETS, prepare_search
    from .text import get_recipe

    prepared = prepare_search(dataset) if dataset in SEARCH_DATASETS else prepare(dataset)
    return prepared.item_texts(), get_recipe(prepared.spec.text_recipe).hash


def analyse(datasets, models, *, alphas=ALPHAS, sample_size: int = pca_module.SAMPLE_SIZE,
            seed: int = pca_module.SEED, profile: str = "default", device: str | None = None,
            precision: str = "auto", show_progress: bool = False) -> Analysis:
    """Encode the items of every dataset with every model (cached, the same files as the SR and search runs) and
    measure each embedding space. Rows follow gtebench.results with task "embedding", backbone and split "-",
    variant "item", metric = a key of MEASURES, seed = the PCA sample's seed, train_seconds = seconds spent
    measuring (encoding excluded), config = the measure's source ("paper" or "addition") and its settings.

    Args:
        datasets: dataset keys (recommendation or search; search pools are encoded as items).
        models: encoder keys or mappings {model: <key>, <setting>: <value>} (registry.encoder_key).
        alphas, sample_size, seed: as in embedding_measures.
        profile: the results' profile column.
        device, precision, show_progress: passed to the encoder (gtebench.encoders.cache.embed).
    """
    from .encoders.cache import embed
    from .encoders.registry import encoder_key, get_encoder

    alphas = check_alphas(alphas)
    specs = [get_encoder(encoder_key(m)) for m in models]  # unknown names fail here, before any encoding
    rows, spectra = [], []
    versions, commit = json.dumps(package_versions(), sort_keys=True), git_commit()
    for dataset in datasets:
        texts, recipe_hash = item_texts(dataset)
        for spec in specs:
            embeddings = embed(spec, texts, dataset=dataset, recipe_hash=recipe_hash, device=device,
                               precision=precision, show_progress=show_progress)
            start = time.perf_counter()
            measures, spectrum, fitted = embedding_measures(embeddings.vectors, alphas=alphas,
                                                            sample_size=sample_size, seed=seed)
            seconds = round(time.perf_counter() - start, 2)
            settings = {"alphas": list(alphas), "pca_sample_size": fitted.sample_size, "pca_seed": seed,
                        "items": len(embeddings.ids), "embedding_file": embeddings.path.name,
                        "mean_cosine": "exact, all items", "eigenvalues": "covariance of the PCA sample"}
            run_id = stable_hash({"dataset": dataset, "model": spec.key, **settings}, 16)
            for metric, value in measures.items():
                config = {"source": measure_info(metric)[1], **settings}
                rows.append({
                    "task": TASK, "dataset": dataset, "backbone": "-", "variant": "item", "model": spec.key,
                    "model_class": spec.model_class, "metric": metric, "split": "-", "value": value,
                    "seed": seed, "profile": profile, "best_epoch": -1, "epochs": 0, "train_seconds": seconds,
                    "run_id": run_id, "config": json.dumps(config, sort_keys=True), "versions": versions,
                    "git_commit": commit,
                })
            spectra.append(spectrum.assign(dataset=dataset, model=spec.key, model_class=spec.model_class))
    measures_frame = pd.DataFrame(rows, columns=COLUMNS)
    spectrum_frame = pd.concat(spectra, ignore_index=True)[SPECTRUM_COLUMNS] if spectra else \
        pd.DataFrame(columns=SPECTRUM_COLUMNS)
    return Analysis(measures_frame, spectrum_frame)


def write_analysis(analysis: Analysis, measures_path: str | Path, spectrum_path: str | Path) -> tuple[Path, Path]:
    """The measures as a results file (validated schema) and the spectrum as a plain CSV, both atomically."""
    write_results(analysis.measures, measures_path)
    spectrum = analysis.spectrum.sort_values(["dataset", "model", "component"])
    with atomic_open(spectrum_path, "w", encoding="utf-8", newline="") as handle:
        spectrum.to_csv(handle, index=False, float_format="%.8g")
    return Path(measures_path), Path(spectrum_path)


def read_spectrum(path: str | Path) -> pd.DataFrame:
    """A spectrum CSV, checked to exist and to hold every column of SPECTRUM_COLUMNS."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"no spectrum file at {path}; run notebooks/embedding_analysis.ipynb (make reproduce)")
    frame = pd.read_csv(path)
    missing = [c for c in SPECTRUM_COLUMNS if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{path}: missing columns {missing}; expected {SPECTRUM_COLUMNS}")
    return frame
