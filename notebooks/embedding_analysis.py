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
# # Embedding-space analysis: how evenly each encoder spreads its item variance
#
# The paper explains its PCA results (section 3.2, Figure 1) by the **alpha-effective dimension** d(alpha): the fewest
# principal components that explain a share alpha of the variance of the item vectors, with the PCA fitted on a seeded
# sample of up to 100,000 items (`gtebench.encoders.pca`, the authors' definition). Columns under **addition** are not
# in the paper: IsoScore (Rudman et al. 2022), the effective rank exp(entropy of the normalised spectrum) (Roy &
# Vetterli 2007), and the exact mean cosine over all item pairs; see `gtebench/analysis.py` for their definitions.
# Embeddings come from the same cache as the Table 1 runs.

# %% tags=["parameters"]
datasets = ["ml-100k"]  # gtebench.data.DATASETS or gtebench.data.search.SEARCH_DATASETS keys (their item texts)
encoders = ["minilm-l6", "mpnet-base", "tfidf-svd"]  # encoder keys (gtebench.encoders.registry.ENCODERS)
alphas = [0.80, 0.95]  # d(alpha) levels (the paper's)
sample_size = 100_000  # items in the PCA sample (the paper's; all items when fewer)
seed = 2020  # seed of the PCA sample (the authors' is unseeded)
profile = "default"  # recorded in every row
results_file = "analysis.csv"  # tidy rows (gtebench.results schema, task "embedding"); under results/ unless absolute
spectrum_file = "analysis_spectrum.csv"  # one row per principal component; under results/ unless absolute
figure_prefix = "embedding"  # <prefix>_spectra and <prefix>_isotropy under figures/ unless absolute; .png and .pdf

# %%

import time
from pathlib import Path

from IPython.display import Markdown, display

from gtebench import paths
from gtebench.analysis import analyse, write_analysis
from gtebench.analysis_plots import plot_isotropy, plot_spectra
from gtebench.plots import save_figure
from gtebench.tables import analysis_table, describe_analysis


def under(folder, name):
    return Path(name) if Path(name).is_absolute() else folder / name


start = time.perf_counter()
analysis = analyse(datasets, encoders, alphas=alphas, sample_size=sample_size, seed=seed, profile=profile)
written = write_analysis(analysis, under(paths.results_dir(), results_file), under(paths.results_dir(), spectrum_file))
seconds = time.perf_counter() - start
print(f"{len(analysis.measures)} measures, {len(analysis.spectrum)} spectrum rows in {seconds:.1f} s "
      f"-> {[str(p) for p in written]}")

# %% [markdown]
# Per dataset and encoder: the dimension D and d(alpha) (the paper's), then the additions. IsoScore is 1 for an
# isotropic cloud and 0 when one direction holds all variance; the effective rank lies between 1 and D; a mean pairwise
# cosine far above 0 means the vectors share a common direction (a narrow cone).

# %%
analysis_table(analysis.measures).round(3)

# %%

stem = under(paths.figures_dir(), figure_prefix)
fig = plot_spectra(analysis.spectrum, analysis.measures)
print([str(p) for p in save_figure(fig, stem.with_name(stem.name + "_spectra"))])

# %%

fig = plot_isotropy(analysis.measures)
print([str(p) for p in save_figure(fig, stem.with_name(stem.name + "_isotropy"))])

# %%
display(Markdown(describe_analysis(analysis.measures)))
