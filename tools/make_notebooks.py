"""Write the notebooks in notebooks/ from the cell sources below (run: python tools/make_notebooks.py).

Notebooks are committed without outputs; keeping their source here makes reviews of a change readable.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def parameters(source: str):
    return new_code_cell(source.strip(), metadata={"tags": ["parameters"]})


NOTEBOOKS = {
    "table1_sequential_recommendation.ipynb": [
        new_markdown_cell(
            "# Table 1: sequential recommendation with frozen text embeddings\n\n"
            "SASRec in RecBole with ID-based items against items represented by frozen text embeddings plus a "
            "trainable adaptor MLP `[plm_dim, 300, 64]` (the paper's SASRec-T). Full ranking over all items, "
            "Recall and NDCG at 10 and 50, early stopping on validation NDCG@10. The `default` profile runs on the "
            "bundled MovieLens-100k with the offline encoders on a 2-core CPU; see the README for how it differs "
            "from the paper's protocol (`profile = \"paper\"`)."
        ),
        parameters(
            '''
datasets = ["ml-100k"]  # dataset keys (gtebench.data.DATASETS)
backbones = ["sasrec"]  # backbone keys (gtebench.recsys.backbones.BACKBONES)
encoders = ["minilm-l6", "mpnet-base", "tfidf-svd"]  # encoder keys (gtebench.encoders.registry.ENCODERS)
include_id = True  # also train the ID-based backbone
include_popularity = True  # add the popularity ranker (untrained, deterministic) as the floor
seeds = [2020]  # one run per seed; the table shows mean and std over seeds
profile = "default"  # training profile (gtebench.profiles.TRAINING_PROFILES): "default" or "paper"
profile_overrides = {}  # e.g. {"max_epochs": 2, "max_users": 200} for a quick look
results_file = "sr_default.csv"  # under results/ unless absolute
figure_file = "sr_default"  # under figures/ unless absolute; .png and .pdf
'''
        ),
        new_code_cell(
            '''
from pathlib import Path

from IPython.display import Markdown, display

from gtebench import paths
from gtebench.plots import plot_sr, save_figure
from gtebench.recsys.experiment import SRExperimentConfig, run_sr_experiment
from gtebench.tables import describe_sr, sr_table

config = SRExperimentConfig.from_params(
    datasets=datasets, backbones=backbones, encoders=encoders, include_id=include_id, seeds=seeds,
    profile=profile, profile_overrides=profile_overrides, results_file=results_file,
    include_popularity=include_popularity,
)
config.profile
'''
        ),
        new_code_cell("results = run_sr_experiment(config)\nprint(f'{len(results)} result rows -> {config.results_file}')"),
        new_markdown_cell(
            "Test-set metrics in percent (mean over seeds), with the best epoch, epochs trained and training seconds "
            "per run. The popularity row ranks items by training-target frequency: a variant below it learned less "
            "than a count."
        ),
        new_code_cell("sr_table(results).round(2)"),
        new_code_cell(
            '''
figure_stem = Path(figure_file) if Path(figure_file).is_absolute() else paths.figures_dir() / figure_file
fig = plot_sr(results)
print([str(p) for p in save_figure(fig, figure_stem)])
'''
        ),
        new_code_cell("display(Markdown(describe_sr(results)))"),
    ],
    "dataset_statistics.ipynb": [
        new_markdown_cell(
            "# Dataset statistics\n\n"
            "Users, items, interactions, sequence lengths and density for the sequential-recommendation sets; "
            "queries, pool size and relevant items per query for the product-search sets; item-text length in "
            "**whitespace tokens** of each dataset's text recipe (not model tokens). The defaults are every real "
            "dataset available offline (`../shared/data`, see its README, and the ml-100k bundled with RecBole). "
            "The paper's sets (`amazon2023/All_Beauty`, `amazon2023/Video_Games`, `amazon2023/Baby_Products`, "
            "`esci`, `amazon-c4`) are downloaded from the Hugging Face hub or read from the folders named in "
            "`gtebench/data/*.py`; a dataset that cannot be prepared is listed below with the reason."
        ),
        parameters(
            '''
sr_datasets = ["ml-100k", "ml-latest-small", "amazon2018/Scientific", "amazon2018-samples/Industrial_and_Scientific", "amazon2018-samples/Office_Products"]  # gtebench.data.DATASETS keys
search_datasets = ["esci-sample200", "esci-sample200-graded"]  # gtebench.data.search.SEARCH_DATASETS keys
results_file = "dataset_statistics.csv"  # tidy rows (dataset, task, statistic, value); under results/ unless absolute
'''
        ),
        new_code_cell(
            '''
from pathlib import Path

import pandas as pd

from gtebench import paths
from gtebench.data.stats import dataset_statistics, wide, write_statistics

frame, skipped = dataset_statistics(sr_datasets, search_datasets)
path = Path(results_file) if Path(results_file).is_absolute() else paths.results_dir() / results_file
write_statistics(frame, path)
print(f"{len(frame)} rows -> {path}")
'''
        ),
        new_markdown_cell("Sequential recommendation (interactions of the Amazon 2023 sets follow the authors' count)."),
        new_code_cell('''pd.set_option("display.float_format", "{:,.4g}".format)
sr = frame[frame.task == "sr"]
wide(sr).dropna(axis=1, how="all") if len(sr) else "no SR dataset"'''),
        new_markdown_cell("Product search."),
        new_code_cell('''ps = frame[frame.task == "ps"]
wide(ps).dropna(axis=1, how="all") if len(ps) else "no PS dataset"'''),
        new_markdown_cell("Datasets that could not be prepared here, and why."),
        new_code_cell("for key, reason in skipped.items():\n    print(f\"{key}: {reason}\")\nlen(skipped)"),
    ],
    "embedding_analysis.ipynb": [
        new_markdown_cell(
            "# Embedding-space analysis: how evenly each encoder spreads its item variance\n\n"
            "The paper explains its PCA results (section 3.2, Figure 1) by the **alpha-effective dimension** "
            "d(alpha): the fewest principal components that explain a share alpha of the variance of the item "
            "vectors, with the PCA fitted on a seeded sample of up to 100,000 items (`gtebench.encoders.pca`, the "
            "authors' definition). Columns under **addition** are not in the paper: IsoScore (Rudman et al. 2022), "
            "the effective rank exp(entropy of the normalised spectrum) (Roy & Vetterli 2007), and the exact mean "
            "cosine over all item pairs; see `gtebench/analysis.py` for their definitions. Embeddings come from the "
            "same cache as the Table 1 runs."
        ),
        parameters(
            '''
datasets = ["ml-100k"]  # gtebench.data.DATASETS or gtebench.data.search.SEARCH_DATASETS keys (their item texts)
encoders = ["minilm-l6", "mpnet-base", "tfidf-svd"]  # encoder keys (gtebench.encoders.registry.ENCODERS)
alphas = [0.80, 0.95]  # d(alpha) levels (the paper's)
sample_size = 100_000  # items in the PCA sample (the paper's; all items when fewer)
seed = 2020  # seed of the PCA sample (the authors' is unseeded)
profile = "default"  # recorded in every row
results_file = "analysis.csv"  # tidy rows (gtebench.results schema, task "embedding"); under results/ unless absolute
spectrum_file = "analysis_spectrum.csv"  # one row per principal component; under results/ unless absolute
figure_prefix = "embedding"  # <prefix>_spectra and <prefix>_isotropy under figures/ unless absolute; .png and .pdf
'''
        ),
        new_code_cell(
            '''
import time
from pathlib import Path

from IPython.display import Markdown, display

from gtebench import paths
from gtebench.analysis import analyse, write_analysis
from gtebench.plots import plot_isotropy, plot_spectra, save_figure
from gtebench.tables import analysis_table, describe_analysis


def under(folder, name):
    return Path(name) if Path(name).is_absolute() else folder / name


start = time.perf_counter()
analysis = analyse(datasets, encoders, alphas=alphas, sample_size=sample_size, seed=seed, profile=profile)
written = write_analysis(analysis, under(paths.results_dir(), results_file), under(paths.results_dir(), spectrum_file))
print(f"{len(analysis.measures)} measures, {len(analysis.spectrum)} spectrum rows in {time.perf_counter() - start:.1f} s "
      f"-> {[str(p) for p in written]}")
'''
        ),
        new_markdown_cell(
            "Per dataset and encoder: the dimension D and d(alpha) (the paper's), then the additions. IsoScore is 1 "
            "for an isotropic cloud and 0 when one direction holds all variance; the effective rank lies between 1 "
            "and D; a mean pairwise cosine far above 0 means the vectors share a common direction (a narrow cone)."
        ),
        new_code_cell("analysis_table(analysis.measures).round(3)"),
        new_code_cell(
            '''
stem = under(paths.figures_dir(), figure_prefix)
fig = plot_spectra(analysis.spectrum, analysis.measures)
print([str(p) for p in save_figure(fig, stem.with_name(stem.name + "_spectra"))])
'''
        ),
        new_code_cell(
            '''
fig = plot_isotropy(analysis.measures)
print([str(p) for p in save_figure(fig, stem.with_name(stem.name + "_isotropy"))])
'''
        ),
        new_code_cell("display(Markdown(describe_analysis(analysis.measures)))"),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
        for index, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{index}"
        nbformat.validate(notebook)
        path = ROOT / "notebooks" / name
        path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
