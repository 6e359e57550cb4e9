"""Search results in MTEB's result format, so a model's numbers here sit beside its MTEB results in the same tools.

The layout is mteb's results repository: `<out>/<org>__<name>/<revision>/<task>.json` (one TaskResult per search
dataset: task_name, dataset_revision, mteb_version, scores {split: [{hf_subset, languages, main_score, metric_at_k,
...}]}, evaluation_time, kg_co2_emissions) and `model_meta.json` beside them. These datasets are not MTEB tasks,
so the task names carry a `gtebench-` prefix and mteb_version says who wrote the file; main_score is nDCG@100,
the paper's search metric. Metric names follow mteb's (`ndcg_at_100`, `recall_at_100`, `mrr_at_100`), scores
are fractions as mteb writes them.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from .io import write_json

MAIN_SCORE = "ndcg@100"
TASK_PREFIX = "gtebench-"


def mteb_metric(name: str) -> str:
    """'ndcg@100' -> 'ndcg_at_100'; 'ndcg@100_condensed' -> 'ndcg_at_100_condensed'."""
    return re.sub(r"@(\d+)", r"_at_\1", name)


def model_folder(spec) -> str:
    """`<org>__<name>/<revision>` as mteb names a model's results folder (the registry key without a hub id)."""
    name = (spec.hub_id or spec.key).replace("/", "__")
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}/{spec.revision or 'no_revision_available'}"


def task_results(frame: pd.DataFrame, model: str) -> dict[str, dict]:
    """task name -> TaskResult dict of one model's full-size search rows (domain All, variant full)."""
    rows = frame[(frame["task"] == "ps") & (frame["model"] == model) & (frame["domain"] == "All")
                 & (frame["variant"] == "full")]
    if rows.empty:
        raise ValueError(f"no product-search rows of model {model!r} (domain All, variant full) to export")
    out = {}
    for dataset, part in rows.groupby("dataset"):
        for split, scores in part.groupby("split"):
            values = {mteb_metric(m): float(v) for m, v in zip(scores["metric"], scores["value"])}
            entry = {"hf_subset": "default", "languages": ["eng-Latn"],
                     "main_score": values.get(mteb_metric(MAIN_SCORE)), **values}
            task = out.setdefault(f"{TASK_PREFIX}{dataset}", {
                "task_name": f"{TASK_PREFIX}{dataset}", "dataset_revision": f"gtebench@{part['git_commit'].iloc[0]}",
                "mteb_version": f"not run by mteb: gtebench {version('gtebench')}", "scores": {},
                "evaluation_time": None, "kg_co2_emissions": None})
            task["scores"][split] = [entry]
    return out


def export_search_results(frame: pd.DataFrame, spec, out: Path) -> list[Path]:
    """Write one model's search results (encoder entry `spec`) under `out` in mteb's layout; return the files."""
    folder = Path(out) / model_folder(spec)
    written = []
    for task, result in task_results(frame, spec.key).items():
        path = folder / f"{task}.json"
        write_json(path, result)
        written.append(path)
    meta = {"name": spec.hub_id or spec.key, "revision": spec.revision, "embed_dim": spec.dim,
            "max_tokens": spec.max_length, "license": spec.licence, "similarity_fn_name": "cosine",
            "framework": ["Sentence Transformers"] if spec.loader == "sentence-transformers" else [],
            "gtebench_key": spec.key,
            "prompts": {"query": spec.prompt("query") or spec.prompt_name("query"),
                        "document": spec.prompt("item") or spec.prompt_name("item")}}
    write_json(folder / "model_meta.json", meta)
    return [*written, folder / "model_meta.json"]
