"""Tables as pure functions of tidy results frames."""

from __future__ import annotations

import pandas as pd

from .encoders.registry import ENCODERS, get_encoder

SR_METRICS = ("recall@10", "ndcg@10", "recall@50", "ndcg@50")
PS_METRICS = ("ndcg@100", "recall@100", "mrr@100", "ndcg@10",
              "ndcg@10_condensed", "ndcg@100_condensed", "recall@100_high")  # the last three: shallow judgments
LEXICAL_NAMES = {"bm25": "BM25 (bm25s)", "bm25-paper": "BM25 (paper's normalisation)"}


def model_label(model: str) -> str:
    """The display name of a model: ID, Popularity, a lexical method's or encoder's name, else the key itself."""
    if model == "id":
        return "ID"
    if model == "popularity":
        return "Popularity"
    if model in LEXICAL_NAMES:
        return LEXICAL_NAMES[model]
    if model in ENCODERS:
        return ENCODERS[model].name
    try:  # a hub id, folder, specialised model or one with changed settings ("minilm-l6?{...}")
        return get_encoder(model).name if ":" in model or "?" in model else model
    except ValueError:
        return model


DATASET_NAMES = {"homedepot": "Home Depot", "esci-sample200": "ESCI (200-row sample)", "esci": "ESCI",
                 "amazon-c4": "Amazon-C4", "steam-au": "Steam (AU)"}
DATASET_PREFIXES = {"amazon2018/": "Amazon 2018 ", "amazon2018-samples/": "Amazon 2018 samples ",
                    "amazon2023/": "Amazon 2023 ", "ml-": "MovieLens "}


def dataset_label(dataset: str) -> str:
    """The display name of a dataset key ("amazon2018/Scientific" -> "Amazon 2018 Scientific", "ml-100k" ->
    "MovieLens 100k"); an unknown key is shown as it is."""
    if dataset in DATASET_NAMES:
        return DATASET_NAMES[dataset]
    for prefix, name in DATASET_PREFIXES.items():
        if dataset.startswith(prefix):
            return name + dataset[len(prefix):].replace("_", " ")
    return dataset


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
        sentence = (f"On {dataset} with {backbone}, the best text encoder is {best['encoder']} "
                    f"(NDCG@10 {best['ndcg@10']:.2f}%)")
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


def ps_table(frame: pd.DataFrame, variant: str = "full", percent: bool = True) -> pd.DataFrame:
    """One row per (dataset, model): every search metric for "All", then nDCG@100 per domain (the paper's
    columns), in percent, best nDCG@100 first."""
    part = frame[(frame["task"] == "ps") & (frame["variant"] == variant)].copy()
    if part.empty:
        raise ValueError(f"no product-search rows for variant {variant!r}")
    part["value"] = part["value"] * (100 if percent else 1)
    keys = ["dataset", "model", "model_class"]
    overall = part[part["domain"] == "All"].pivot_table(index=keys, columns="metric", values="value")
    overall = overall.reindex(columns=[m for m in PS_METRICS if m in overall.columns])
    domains = part[(part["domain"] != "All") & (part["metric"] == "ndcg@100")]
    if not domains.empty:
        per_domain = domains.pivot_table(index=keys, columns="domain", values="value").add_prefix("ndcg@100 ")
        overall = overall.join(per_domain)
    table = overall.reset_index()
    table.insert(table.columns.get_loc("model") + 1, "encoder", table["model"].map(model_label))
    return table.sort_values(["dataset", "ndcg@100"], ascending=[True, False])


def pca_table(frame: pd.DataFrame, metric: str = "ndcg@100") -> pd.DataFrame:
    """Figure 1's points: per dataset, model and PCA level, the dimension kept and the metric (percent, "All")."""
    import json

    part = frame[(frame["task"] == "ps") & (frame["domain"] == "All") & (frame["metric"] == metric)].copy()
    part = part[part["config"].map(lambda c: json.loads(c).get("dim", 0) > 0)]  # dense models only
    part["dim"] = part["config"].map(lambda c: json.loads(c)["dim"])
    part["value"] = part["value"] * 100
    part["encoder"] = part["model"].map(model_label)
    columns = ["dataset", "model", "encoder", "model_class", "variant", "dim", "value"]
    renamed = part[columns].rename(columns={"value": metric})
    return renamed.sort_values(["dataset", "model", "dim"]).reset_index(drop=True)


def ps_rankings(frame: pd.DataFrame, variant: str = "full") -> pd.DataFrame:
    """Per dataset, the models best first on each nDCG / recall column the results have (one column per metric,
    "model (value%)" cells): how far the two views of shallow judgments agree, at a glance."""
    table = ps_table(frame, variant)
    metrics = [m for m in ("ndcg@10", "ndcg@100", "ndcg@10_condensed", "ndcg@100_condensed", "recall@100_high")
               if m in table.columns and table[m].notna().any()]
    parts = []
    for dataset, part in table.groupby("dataset"):
        columns = {m: [f"{r.encoder} ({r[m]:.2f})" for _, r in part.sort_values(m, ascending=False).iterrows()]
                   for m in metrics}
        parts.append(pd.DataFrame(columns).assign(dataset=dataset, rank=range(1, len(part) + 1)))
    return pd.concat(parts, ignore_index=True).set_index(["dataset", "rank"])


def describe_ps(frame: pd.DataFrame) -> str:
    """One sentence per dataset: the best model on nDCG@100 (and on condensed lists where the judgments are
    shallow), the best lexical one, and the two BM25s."""
    table = ps_table(frame)
    sentences = []
    for dataset, part in table.groupby("dataset"):
        best = part.iloc[0]
        sentence = f"On {dataset} the best model is {best['encoder']} (nDCG@100 {best['ndcg@100']:.2f}%)"
        if "ndcg@100_condensed" in part and part["ndcg@100_condensed"].notna().any():
            top = part.sort_values("ndcg@100_condensed", ascending=False).iloc[0]
            sentence += (f"; on condensed lists (unjudged products removed) {top['encoder']} "
                         f"({top['ndcg@100_condensed']:.2f}%)")
        bm25 = part.set_index("model")["ndcg@100"]
        if "bm25" in bm25 and "bm25-paper" in bm25:
            sentence += (f"; a correct BM25 reaches {bm25['bm25']:.2f}% where the paper's normalisation gives "
                         f"{bm25['bm25-paper']:.2f}%")
        sentences.append(sentence + ".")
    return " ".join(sentences)


def describe_pca(frame: pd.DataFrame) -> str:
    """One sentence per dataset and model: nDCG@100 at d(0.80) and d(0.95) against the full dimension."""
    points = pca_table(frame)
    sentences = []
    for (dataset, model), part in points.groupby(["dataset", "model"]):
        values = part.set_index("variant")
        if "full" not in values.index:
            continue
        full = values.loc["full"]
        steps = [f"{v['ndcg@100']:.2f}% with {int(v['dim'])} components"
                 for name, v in values.iterrows() if name != "full"]
        sentences.append(f"{full['encoder']} on {dataset}: {full['ndcg@100']:.2f}% at its full {int(full['dim'])} "
                         f"dimensions, " + ", ".join(steps) + ".")


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


def encoders_table(keys=None):
    """The registry as a DataFrame (one row per entry), for the notebook and the README."""
    specs = [get_encoder(k) for k in keys] if keys is not None else list(ENCODERS.values())
    columns = ["key", "name", "model_class", "params", "dim", "hub_id", "revision", "loader", "pooling", "normalize",
               "max_length", "dtype", "trust_remote_code"]
    rows = []
    for spec in specs:
        row = {column: getattr(spec, column) for column in columns}
        row["query_prompt"] = spec.query_prompt or (spec.query_prompt_name and f"<{spec.query_prompt_name}>")
        row["item_prompt"] = spec.item_prompt or (spec.item_prompt_name and f"<{spec.item_prompt_name}>")
        rows.append(row)
    return pd.DataFrame(rows).set_index("key")
