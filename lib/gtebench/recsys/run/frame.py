"""Run records as rows of the tidy results frame (gtebench.results.COLUMNS)."""

from __future__ import annotations

import json

import pandas as pd

from ...encoders.registry import get_encoder
from ...results import COLUMNS
from ..backbones import get_backbone
from .spec import variant_label


def records_to_frame(records: list[dict]) -> pd.DataFrame:
    """Tidy results rows (gtebench.results.COLUMNS) from run records: one per metric and split (valid, test)."""
    rows = []
    for record in records:
        spec = record["spec"]
        encoder = spec["encoder"]
        baseline = get_backbone(spec["backbone"]).baseline
        model_class = get_encoder(encoder).model_class if encoder else "baseline" if baseline else "id"
        variant = variant_label(spec["variant"], spec.get("pca_alpha"))
        config = json.dumps({"recbole": record["recbole_config"], "profile": spec["profile"],
                             "embedding": record.get("embedding"), "threads": record.get("threads")}, sort_keys=True)
        for split in ("valid", "test"):
            for metric, value in record[split].items():
                rows.append({
                    "task": "sr", "dataset": spec["dataset"], "domain": "All", "backbone": spec["backbone"],
                    "variant": variant, "model": encoder or (spec["backbone"] if baseline else "id"),
                    "model_class": model_class, "metric": metric, "split": split,
                    "value": value, "seed": spec["seed"], "profile": spec["profile"]["name"],
                    "best_epoch": record["best_epoch"], "epochs": record["epochs"],
                    "train_seconds": record["train_seconds"], "run_id": record["run_id"], "config": config,
                    "versions": json.dumps(record["versions"], sort_keys=True), "git_commit": record["git_commit"],
                })
    return pd.DataFrame(rows, columns=COLUMNS)
