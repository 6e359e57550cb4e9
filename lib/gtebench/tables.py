"""Tables as pure functions of tidy results frames."""

from __future__ import annotations

import pandas as pd

from .encoders.registry import ENCODERS

SR_METRICS = ("recall@10", "ndcg@10", "recall@50", "ndcg@50")


def model_label(model: str) -> str:
    if model == "id":
        return "ID"
    if model == "popularity":
        return "Popularity"
    return ENCODERS[model].name if model in ENCODERS else model


def sr_table(frame: pd.DataFrame, split: str = "test", percent: bool = True) -> pd.DataFrame:
    """One row per (dataset, backbone, variant, model), the paper's four metrics as columns (mean over seeds).

    With several seeds, a '±' column per metric holds the standard deviation.
    """
    part = frame[(frame["task"] == "sr") & (frame["split"] == split) & frame["metric"].isin(SR_METRICS)].copy()
    if part.empty:
        raise ValueError(f"no sequential-recommendation rows for split {split!r}")
    part["value"] = part["value"] * (100 if percent else 1)
    keys = ["dataset", "backbone", "variant", "model", "model_class"]
    stats = part.groupby(keys + ["metric"])["value"].agg(["mean", "std", "count"]).reset_index()
    table = stats.pivot_table(index=keys, columns="metric", values="mean").reindex(columns=list(SR_METRICS))
    if stats["count"].max() > 1:
        spread = stats.pivot_table(index=keys, columns="metric", values="std").reindex(columns=list(SR_METRICS))
        for metric in SR_METRICS:
            table[f"{metric} ±"] = spread[metric]
    epochs = part.groupby(keys)[["best_epoch", "epochs", "train_seconds"]].mean()
    table = table.join(epochs).reset_index()
    table.insert(table.columns.get_loc("model") + 1, "encoder", table["model"].map(model_label))
    return table.sort_values(["dataset", "backbone", "variant", "ndcg@10"], ascending=[True, True, True, False])


def describe_sr(frame: pd.DataFrame, split: str = "test") -> str:
    """One sentence per dataset and backbone: the best text encoder against ID items and popularity on NDCG@10."""
    table = sr_table(frame, split)
    sentences = []
    popularity = table[table["model"] == "popularity"].set_index("dataset")["ndcg@10"]
    for (dataset, backbone), group in table[table["model"] != "popularity"].groupby(["dataset", "backbone"]):
        text = group[group["variant"] == "text"].sort_values("ndcg@10", ascending=False)
        ids = group[group["variant"] == "id"]
        if text.empty:
            continue
        best = text.iloc[0]
        sentence = f"On {dataset} with {backbone}, the best text encoder is {best['encoder']} (NDCG@10 {best['ndcg@10']:.2f}%)"
        if not ids.empty:
            base = ids.iloc[0]["ndcg@10"]
            sentence += f", {'above' if best['ndcg@10'] > base else 'below'} ID-based items ({base:.2f}%)"
            beat = int((text["ndcg@10"] > base).sum())
            sentence += f"; {beat} of {len(text)} text encoders beat the ID baseline"
        if dataset in popularity:
            above = int((group["ndcg@10"] > popularity[dataset]).sum())
            sentence += f"; {above} of {len(group)} variants beat popularity ({popularity[dataset]:.2f}%)"
        sentences.append(sentence + ".")
    return " ".join(sentences)
