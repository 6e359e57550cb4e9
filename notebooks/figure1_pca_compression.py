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
# # Figure 1: product search after PCA compression
#
# Each model's item vectors are projected onto the principal components that explain 80% and 95% of their variance (PCA
# fitted on a seeded sample of up to 100,000 items; items centred by the catalogue mean, queries by their own), and
# retrieval is repeated: nDCG@100 against the number of components on a log axis, one line per model, as the paper's
# Figure 1.

# %% tags=["parameters"]
datasets = ["esci-sample200"]  # search dataset keys (gtebench.data.search.SEARCH_DATASETS)
encoders = ["minilm-l6", "mpnet-base", "tfidf-svd"]  # dense encoder keys
pca_alphas = [0.8, 0.95]  # explained-variance levels; the full dimension is always included
# rough scoring: bf16 where native (GPU, AVX-512 BF16, AMX), else fp32; the top 100 is exact either way
precision = "auto"
results_file = "ps_pca_default.csv"  # under results/ unless absolute
figure_file = "figure1_pca_default"  # under figures/ unless absolute; .png and .pdf

# %%

from pathlib import Path

from IPython.display import Markdown, display

from gtebench import paths
from gtebench.failures import raise_recorded_failures
from gtebench.plots import plot_pca_compression, save_figure
from gtebench.search.experiment import SearchExperimentConfig, run_search_experiment
from gtebench.tables import describe_pca, pca_table

config = SearchExperimentConfig.from_params(datasets=datasets, encoders=encoders, pca_alphas=pca_alphas,
                                            precision=precision, results_file=results_file)
results = run_search_experiment(config, raise_failures=False)
print(f"{len(results)} result rows -> {config.results_file}")

# %% [markdown]
# nDCG@100 (percent, all queries) at each number of components.

# %%
pca_table(results).round(2)

# %% [markdown]
# Where the judgments are shallow (Home Depot), the same points on condensed lists (unjudged products removed before
# scoring), the view the Table 2 notebook reads the model ranking from.

# %%
if (results.metric == "ndcg@100_condensed").any():
    display(pca_table(results, "ndcg@100_condensed").round(2))

# %%

figure_stem = Path(figure_file) if Path(figure_file).is_absolute() else paths.figures_dir() / figure_file
print([str(p) for p in save_figure(plot_pca_compression(results), figure_stem)])

# %%
display(Markdown(describe_pca(results)))

# %% [markdown]
# A cell that failed (a model that cannot load, a dataset that cannot be prepared) is absent above and listed with its
# error in `<results>_failures.csv`; this last cell then stops the notebook with each error and its fix, so the batch
# reports it after everything that finished is drawn.

# %%
raise_recorded_failures(config.results_file)
