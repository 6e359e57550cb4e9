"""MTEB's result format: one TaskResult file per search dataset in mteb's folder layout, scores as mteb names them."""

import json

import pandas as pd
import pytest

from gtebench.encoders.registry import get_encoder
from gtebench.mteb_export import export_search_results, mteb_metric


def frame(model: str) -> pd.DataFrame:
    rows = [("esci-sample200", "All", "full", "ndcg@100", 0.5), ("esci-sample200", "All", "full", "recall@100", 0.8),
            ("esci-sample200", "All", "pca80", "ndcg@100", 0.1), ("esci-sample200", "Toys", "full", "ndcg@100", 0.2),
            ("homedepot", "All", "full", "ndcg@100_condensed", 0.7), ("homedepot", "All", "full", "ndcg@100", 0.4)]
    return pd.DataFrame([{"task": "ps", "dataset": d, "domain": dom, "variant": v, "model": model, "metric": m,
                          "split": "test", "value": x, "git_commit": "abc1234"} for d, dom, v, m, x in rows])


def test_metric_names_follow_mteb():
    assert mteb_metric("ndcg@100") == "ndcg_at_100" and mteb_metric("ndcg@100_condensed") == "ndcg_at_100_condensed"


def test_one_task_file_per_dataset_in_mteb_layout(tmp_path):
    spec = get_encoder("minilm-l6")
    written = export_search_results(frame("minilm-l6"), spec, tmp_path)
    folder = tmp_path / "sentence-transformers__all-MiniLM-L6-v2" / "no_revision_available"
    assert sorted(p.name for p in written) == ["gtebench-esci-sample200.json", "gtebench-homedepot.json",
                                               "model_meta.json"]
    esci = json.loads((folder / "gtebench-esci-sample200.json").read_text())
    assert esci["task_name"] == "gtebench-esci-sample200" and esci["dataset_revision"] == "gtebench@abc1234"
    # only the full-size vectors over all domains; main_score is nDCG@100
    assert esci["scores"] == {"test": [{"hf_subset": "default", "languages": ["eng-Latn"], "main_score": 0.5,
                                        "ndcg_at_100": 0.5, "recall_at_100": 0.8}]}
    meta = json.loads((folder / "model_meta.json").read_text())
    assert meta["name"] == "sentence-transformers/all-MiniLM-L6-v2" and meta["license"] == "Apache-2.0"
    assert meta["embed_dim"] == 384


def test_a_model_without_rows_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no product-search rows of model 'mpnet-base'"):
        export_search_results(frame("minilm-l6"), get_encoder("mpnet-base"), tmp_path)
