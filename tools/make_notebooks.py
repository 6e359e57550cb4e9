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
            "Recall and NDCG at 10 and 50, early stopping on validation NDCG@10. Other backbones by `backbones`: "
            "GRU4Rec (ID and text), BERT4Rec (ID and text, with a trainable [MASK] row) and UniSRec (text only: a "
            "mixture of 8 parametric-whitening experts, cosine scores / temperature 0.07). The `default` profile runs on the "
            "bundled MovieLens-100k with the offline encoders on a 2-core CPU; see the README for how it differs "
            "from the paper's protocol (`profile = \"paper\"`)."
        ),
        parameters(
            '''
datasets = ["ml-100k"]  # dataset keys (gtebench.data.DATASETS)
backbones = ["sasrec"]  # gtebench.recsys.backbones.BACKBONES: "sasrec", "gru4rec", "bert4rec", "unisrec" (text only)
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
