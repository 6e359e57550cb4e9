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


def analysis_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, model) of the embedding-space analysis; the columns are grouped under "paper"
    (dimension and d(alpha)) and "addition" (measures the paper does not compute)."""
    from .analysis import MEASURES, TASK, measure_info

    part = frame[frame["task"] == TASK]
    if part.empty:
        raise ValueError("no embedding-analysis rows (task 'embedding'); run notebooks/embedding_analysis.ipynb")
    table = part.pivot_table(index=["dataset", "model", "model_class"], columns="metric", values="value")
    def position(metric):  # paper's first: D, then d(alpha) by alpha; then the additions in MEASURES order
        if metric == "dim":
            return (0, 0)
        if measure_info(metric)[1] == "paper":
            return (1, int(metric[1:]))
        return (2, list(MEASURES).index(metric))

    order = sorted(table.columns, key=position)
    order = [m for m in order if m != "isotropy_defect"]  # a rescaling of IsoScore: kept in the file, not shown
    table = table[order]
    paper = [m for m in order if measure_info(m)[1] == "paper"]
    table[paper] = table[paper].round().astype("Int64")  # counts of dimensions
    table.columns = pd.MultiIndex.from_tuples([(measure_info(m)[1], measure_info(m)[0]) for m in order])
    table = table.reset_index()
    table.insert(2, ("", "encoder"), table[("model", "")].map(model_label))
    return table.sort_values([("dataset", ""), ("model_class", ""), ("model", "")]).reset_index(drop=True)


def describe_analysis(frame: pd.DataFrame) -> str:
    """One sentence per dataset: which encoder spreads its variance most and least evenly (IsoScore, d(0.80))."""
    from .analysis import TASK

    part = frame[frame["task"] == TASK]
    wide = part.pivot_table(index=["dataset", "model"], columns="metric", values="value").reset_index()
    sentences = []
    for dataset, group in wide.groupby("dataset"):
        group = group.sort_values("isoscore", ascending=False)
        top, low = group.iloc[0], group.iloc[-1]

        def spread(row):
            d80 = f"d(0.80) = {row['d80']:.0f} of {row['dim']:.0f} dims, " if "d80" in row else ""
            return f"{model_label(row['model'])} ({d80}IsoScore {row['isoscore']:.3f})"

        if len(group) == 1:
            sentences.append(f"On {dataset}, {spread(top)}.")
            continue
        sentences.append(
            f"On {dataset}, {spread(top)} spreads its item variance most evenly and {spread(low)} least; "
            f"a low IsoScore with a small d(0.80) is the anisotropy the paper links to gains from PCA compression."
        )
    return " ".join(sentences)
