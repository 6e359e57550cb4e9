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
# # Do we really need specialisation? Generalists against their own specialised versions
#
# The paper compares generalist text embeddings with BLaIR, a RoBERTa trained contrastively on Amazon review <->
# item-metadata pairs. Here the library builds the specialised encoders itself (`gtebench.specialise`): each base
# generalist is fine-tuned with a recipe (InfoNCE at BLaIR's temperature, learning rate, epoch and max length) and
# then run through the same protocols as the generalist off the shelf, with TF-IDF + SVD, BM25 and ID items as the
# classic floor. Recipes: `blair-reviews` (domain: BLaIR's objective on small real Amazon review sets),
# `next-item` (recommendation: consecutive items of training sequences) and `search-queries` (search: training
# queries against judged products, with the lowest-rated judged product as hard negative). Every number below is
# paired against the base per user or per query. Each recipe reads training data only (never an evaluated target
# or query); `python -m gtebench.reproduce --batch specialisation` runs this notebook with the batch's parameters.

# %% tags=["parameters"]
bases = ["minilm-l6"]  # generalist encoders to specialise (sentence-transformers entries)
recipes = ["blair-reviews", "next-item", "search-queries"]  # gtebench.specialise.RECIPES, or "pairs:<file>"
sr_datasets = ["amazon2018/Scientific", "ml-100k", "steam-au"]  # recommendation cells
backbones = ["sasrec", "gru4rec"]  # text variants of each, default profile
seeds = [2020, 2021, 2022]  # recommendation seeds (the specialisation itself has the recipe's seed)
search_datasets = ["homedepot", "esci-sample200"]  # search cells (Home Depot test queries, the ESCI sample)
classic = ["tfidf-svd"]  # classic encoders
lexical = ["bm25"]  # BM25 in search
include_id = True  # ID items in recommendation
profile = "default"  # training profile of the recommendation runs
profile_overrides = {}  # e.g. {"max_epochs": 2, "max_users": 200} for a quick look
results_prefix = "specialisation"  # <prefix>_sr.csv, _ps.csv, _analysis.csv, _comparison.csv, _models.csv
figure_file = "specialisation"  # under figures/ unless absolute; .png and .pdf

# %%

from pathlib import Path

from IPython.display import Markdown, display

from gtebench import paths
from gtebench.analysis_plots import plot_specialisation
from gtebench.failures import raise_recorded_failures
from gtebench.plots import save_figure
from gtebench.specialise import get_recipe
from gtebench.specialise.compare import describe_specialisation, title_table
from gtebench.specialise.experiment import SpecialisationConfig, run_specialisation_experiment
from gtebench.tables import analysis_table

config = SpecialisationConfig.from_params(
    bases=bases, recipes=recipes, sr_datasets=sr_datasets, backbones=backbones, seeds=seeds,
    search_datasets=search_datasets, classic=classic, lexical=lexical, include_id=include_id, profile=profile,
    profile_overrides=profile_overrides, results_prefix=results_prefix)
out = run_specialisation_experiment(config)
in_domain = {recipe: set(get_recipe(recipe).in_domain) for recipe in config.recipes}

# %% [markdown]
# The specialised models: their training pairs, steps and the measured training time on this machine.

# %%
out["models"]

# %% [markdown]
# One table for the title question: rows are tasks and datasets (with the recipes for which the dataset is in-domain
# or in-task), columns the base generalist and every other model, each cell the mean, its difference from the base
# and the Holm-corrected Wilcoxon p-value (* below 0.05). Recommendation: test NDCG@10; search: nDCG@100.

# %%
title_table(out["comparison"], in_domain)

# %%

figure_stem = Path(figure_file) if Path(figure_file).is_absolute() else paths.figures_dir() / figure_file
fig = plot_specialisation(out["comparison"])
print([str(p) for p in save_figure(fig, figure_stem)])

# %% [markdown]
# The embedding spaces before and after specialisation: the paper explains the generalists' lead by how evenly their
# variance spreads over dimensions (d(0.80), d(0.95)); IsoScore, effective rank and mean cosine are additions.

# %%
analysis_table(out["analysis"]).round(3)

# %%
display(Markdown(describe_specialisation(out["comparison"], in_domain)))

# %% [markdown]
# What differs from the paper: the data are small (thousands of pairs, not BLaIR's millions), the bases are small
# generalists fine-tuned for one CPU epoch instead of RoBERTa pretrained from its checkpoint on all of Amazon Reviews
# 2023, and the evaluation sets are the ones on this machine. A failed cell stops the notebook here, after everything
# that finished is shown.

# %%
raise_recorded_failures(config.file("sr"))
raise_recorded_failures(config.file("ps"))
