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
# # Dataset statistics
#
# Users, items, interactions, sequence lengths and density for the sequential-recommendation sets; queries, pool size
# and relevant items per query for the product-search sets; item-text length in **whitespace tokens** of each dataset's
# text recipe (not model tokens). The defaults are every real dataset available offline (`../shared/data`, see its
# README, and the ml-100k bundled with RecBole). The paper's sets (`amazon2023/All_Beauty`, `amazon2023/Video_Games`,
# `amazon2023/Baby_Products`, `esci`, `amazon-c4`) are downloaded from the Hugging Face hub or read from the folders
# named in `gtebench/data/*.py`; a dataset that cannot be prepared is listed below with the reason.

# %% tags=["parameters"]
# gtebench.data.DATASETS keys
sr_datasets = [
    "ml-100k", "ml-latest-small", "amazon2018/Scientific", "amazon2018-samples/Industrial_and_Scientific",
    "amazon2018-samples/Office_Products",
]
search_datasets = ["esci-sample200", "esci-sample200-graded"]  # gtebench.data.search.SEARCH_DATASETS keys
results_file = "dataset_statistics.csv"  # tidy rows (dataset, task, statistic, value); under results/ unless absolute

# %%

from pathlib import Path

import pandas as pd

from gtebench import paths
from gtebench.data.stats import dataset_statistics, wide, write_statistics

frame, skipped = dataset_statistics(sr_datasets, search_datasets)
path = Path(results_file) if Path(results_file).is_absolute() else paths.results_dir() / results_file
write_statistics(frame, path)
print(f"{len(frame)} rows -> {path}")

# %% [markdown]
# Sequential recommendation (interactions of the Amazon 2023 sets follow the authors' count).

# %%
pd.set_option("display.float_format", "{:,.4g}".format)
sr = frame[frame.task == "sr"]
wide(sr).dropna(axis=1, how="all") if len(sr) else "no SR dataset"

# %% [markdown]
# Product search.

# %%
ps = frame[frame.task == "ps"]
wide(ps).dropna(axis=1, how="all") if len(ps) else "no PS dataset"

# %% [markdown]
# Datasets that could not be prepared here, and why.

# %%
for key, reason in skipped.items():
    print(f"{key}: {reason}")
len(skipped)
