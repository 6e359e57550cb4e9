# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (gtebench)
#     language: python
#     name: gtebench
# ---

# %% [markdown]
# # Table 1: sequential recommendation with frozen text embeddings
#
# SASRec in RecBole with ID-based items against items represented by frozen text embeddings plus a trainable adaptor MLP
# `[plm_dim, 300, 64]` (the paper's SASRec-T). Full ranking over all items, Recall and NDCG at 10 and 50, early stopping
# on validation NDCG@10. Other backbones by `backbones`: GRU4Rec (ID and text), BERT4Rec (ID and text, with a trainable
# [MASK] row) and UniSRec (text only: a mixture of 8 parametric-whitening experts, cosine scores / temperature 0.07).
# The `default` profile runs on the bundled MovieLens-100k with the offline encoders on a 2-core CPU; see the README for
# how it differs from the paper's protocol (`profile = "paper"`).

# %% tags=["parameters"]
datasets = ["ml-100k"]  # dataset keys (gtebench.data.DATASETS)
backbones = ["sasrec"]  # gtebench.recsys.backbones.BACKBONES: "sasrec", "gru4rec", "bert4rec", "unisrec" (text only)
encoders = ["minilm-l6", "mpnet-base", "tfidf-svd"]  # encoder keys (gtebench.encoders.registry.ENCODERS)
include_id = True  # also train the ID-based backbone
include_popularity = True  # add the popularity ranker (untrained, deterministic) as the floor
pca_alphas = []  # e.g. [0.8, 0.95]: each encoder also with items PCA-compressed to d(alpha) dims (beyond the paper)
seeds = [2020, 2021, 2022]  # one run per seed (3 on the default profile); the table shows mean and std
profile = "default"  # gtebench.profiles.TRAINING_PROFILES: "default", "paper" or "paper-all-positions"
profile_overrides = {}  # e.g. {"max_epochs": 2, "max_users": 200} for a quick look
results_file = "sr_default.csv"  # under results/ unless absolute
figure_file = "sr_default"  # under figures/ unless absolute; .png and .pdf

# %%

from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from gtebench import paths
from gtebench.failures import raise_recorded_failures
from gtebench.paper_numbers import beside_paper, paper_cells_found
from gtebench.plots import plot_sr, save_figure
from gtebench.recsys.experiment import SRExperimentConfig, run_sr_experiment
from gtebench.tables import SR_METRICS, describe_sr, sr_table

config = SRExperimentConfig.from_params(
    datasets=datasets, backbones=backbones, encoders=encoders, include_id=include_id, seeds=seeds,
    profile=profile, profile_overrides=profile_overrides, results_file=results_file,
    include_popularity=include_popularity, pca_alphas=pca_alphas,
)
config.profile

# %%
results = run_sr_experiment(config, raise_failures=False)
print(f'{len(results)} result rows -> {config.results_file}')

# %% [markdown]
# Test-set metrics in percent (mean over seeds), with the best epoch, epochs trained and training seconds per run. The
# popularity row ranks items by training-target frequency: a variant below it learned less than a count.

# %%
sr_table(results).round(2)

# %%

figure_stem = Path(figure_file) if Path(figure_file).is_absolute() else paths.figures_dir() / figure_file
intervals = pd.read_csv(config.intervals_file) if config.intervals_file.is_file() else None  # one-seed whiskers
fig = plot_sr(results, intervals)
print([str(p) for p in save_figure(fig, figure_stem)])

# %%
display(Markdown(describe_sr(results)))

# %% [markdown]
# The paper's number beside each of our cells and our delta (points), where the paper has the same dataset, backbone and
# encoder (`lib/gtebench/paper_numbers/table1.csv`). The offline default shares no cell with the paper (MovieLens and
# packaged encoders); the `paper` profile fills them.

# %%

ours = sr_table(results)
compared = beside_paper(ours, SR_METRICS)
print(f"{paper_cells_found(compared, SR_METRICS)} of {len(ours) * len(SR_METRICS)} cells have a paper number")
paper_columns = [c for m in SR_METRICS for c in (m, f"paper {m}", f"delta {m}")]
compared[["dataset", "backbone", "variant", "encoder"] + paper_columns].round(2)

# %% [markdown]
# Paired tests on per-user test metrics (mean over seeds per user): the best generalist encoder against the best model
# of each other class, Wilcoxon signed-rank and paired t-test, Holm-corrected over the comparisons of one dataset,
# backbone and metric (`gtebench.significance`).

# %%
pd.read_csv(config.significance_file).round(4)

# %% [markdown]
# A cell that failed (a model that cannot load, a dataset that cannot be prepared) is absent above and listed with its
# error in `<results>_failures.csv`; this last cell then stops the notebook with each error and its fix, so the batch
# reports it after everything that finished is drawn.

# %%
raise_recorded_failures(config.results_file)
