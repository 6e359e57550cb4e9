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
pca_alphas = []  # e.g. [0.8, 0.95]: each encoder also with items PCA-compressed to d(alpha) dims (beyond the paper)
seeds = [2020, 2021, 2022]  # one run per seed (3 on the default profile); the table shows mean and std
profile = "default"  # training profile (gtebench.profiles.TRAINING_PROFILES): "default" or "paper"
profile_overrides = {}  # e.g. {"max_epochs": 2, "max_users": 200} for a quick look
results_file = "sr_default.csv"  # under results/ unless absolute
figure_file = "sr_default"  # under figures/ unless absolute; .png and .pdf
'''
        ),
        new_code_cell(
            '''
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from gtebench import paths
from gtebench.plots import plot_sr, save_figure
from gtebench.recsys.experiment import SRExperimentConfig, run_sr_experiment
from gtebench.paper_numbers import beside_paper, paper_cells_found
from gtebench.tables import SR_METRICS, describe_sr, sr_table

config = SRExperimentConfig.from_params(
    datasets=datasets, backbones=backbones, encoders=encoders, include_id=include_id, seeds=seeds,
    profile=profile, profile_overrides=profile_overrides, results_file=results_file,
    include_popularity=include_popularity, pca_alphas=pca_alphas,
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
        new_markdown_cell(
            "The paper's number beside each of our cells and our delta (points), where the paper has the same "
            "dataset, backbone and encoder (`lib/gtebench/paper_numbers/table1.csv`). The offline default shares no "
            "cell with the paper (MovieLens and packaged encoders); the `paper` profile fills them."
        ),
        new_code_cell(
            '''
ours = sr_table(results)
compared = beside_paper(ours, SR_METRICS)
print(f"{paper_cells_found(compared, SR_METRICS)} of {len(ours) * len(SR_METRICS)} cells have a paper number")
compared[["dataset", "backbone", "variant", "encoder"] + [c for m in SR_METRICS for c in (m, f"paper {m}", f"delta {m}")]].round(2)
'''
        ),
        new_markdown_cell(
            "Paired tests on per-user test metrics (mean over seeds per user): the best generalist encoder against "
            "the best model of each other class, Wilcoxon signed-rank and paired t-test, Holm-corrected over the "
            "comparisons of one dataset, backbone and metric (`gtebench.significance`)."
        ),
        new_code_cell("pd.read_csv(config.significance_file).round(4)"),
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
    "table2_product_search.ipynb": [
        new_markdown_cell(
            "# Table 2: product search with frozen text embeddings\n\n"
            "Queries and the whole item pool are encoded (prompts go to queries only), the top 100 items by cosine "
            "similarity are retrieved exactly over the pool, and ranx scores the runs: nDCG@100 as in the paper, plus "
            "Recall@100, MRR@100 and nDCG@10, for \"All\" and per domain. BM25 appears twice: a correct BM25 "
            "(bm25s) and the paper's, whose length normalisation divides by the corpus size instead of the document "
            "length. The default runs on the 200-row ESCI sample in `../shared/data` (a smoke test: a 200-item pool, "
            "so numbers are far above the paper's 1.37M-item pool); the paper's sets are `esci` and `amazon-c4`."
        ),
        parameters(
            '''
datasets = ["esci-sample200"]  # search dataset keys (gtebench.data.search.SEARCH_DATASETS); "-graded" for ESCI gains
models = ["bm25", "bm25-paper", "minilm-l6", "mpnet-base", "tfidf-svd"]  # encoder keys, "bm25", "bm25-paper"
domains = ["Office_Products", "Sports_and_Outdoors"]  # per-domain columns of the paper (when the data has them)
precision = "auto"  # rough scoring: bf16 where native (GPU, AVX-512 BF16, AMX), else fp32; the top 100 is exact either way
results_file = "ps_default.csv"  # under results/ unless absolute
figure_file = "ps_default"  # under figures/ unless absolute; .png and .pdf
'''
        ),
        new_code_cell(
            '''
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from gtebench import paths
from gtebench.paper_numbers import beside_paper, paper_cells_found
from gtebench.plots import plot_ps, save_figure
from gtebench.search.experiment import SearchExperimentConfig, run_search_experiment
from gtebench.tables import describe_ps, ps_table

config = SearchExperimentConfig.from_params(datasets=datasets, models=models, domains=domains, precision=precision,
                                            results_file=results_file)
results = run_search_experiment(config)
print(f"{len(results)} result rows -> {config.results_file}; runs in {config.runs_dir}")
'''
        ),
        new_markdown_cell("Metrics in percent over all queries, and nDCG@100 per domain where the dataset has domains."),
        new_code_cell("ps_table(results).round(2)"),
        new_markdown_cell(
            "The paper's nDCG@100 beside ours where the dataset, domain and model match (`lib/gtebench/paper_numbers/"
            "table2.csv`); the ESCI sample is not the paper's pool, so no cell matches here."
        ),
        new_code_cell(
            '''
ours = results[(results.metric == "ndcg@100")].assign(value=lambda f: f.value * 100)
ours = ours.rename(columns={"value": "ndcg@100"})[["dataset", "domain", "variant", "model", "ndcg@100"]]
compared = beside_paper(ours, ("ndcg@100",), table="table2", keys=["dataset", "domain", "variant", "model"])
print(f"{paper_cells_found(compared, ('ndcg@100',))} of {len(ours)} cells have a paper number")
compared.round(2)
'''
        ),
        new_code_cell(
            '''
figure_stem = Path(figure_file) if Path(figure_file).is_absolute() else paths.figures_dir() / figure_file
print([str(p) for p in save_figure(plot_ps(results), figure_stem)])
'''
        ),
        new_markdown_cell("Paired t-test (ranx) on nDCG@100: the best generalist encoder against the best model of each other class."),
        new_code_cell("pd.read_csv(config.significance_file).round(4)"),
        new_code_cell("display(Markdown(describe_ps(results)))"),
    ],
    "figure1_pca_compression.ipynb": [
        new_markdown_cell(
            "# Figure 1: product search after PCA compression\n\n"
            "Each model's item vectors are projected onto the principal components that explain 80% and 95% of their "
            "variance (PCA fitted on a seeded sample of up to 100,000 items; items centred by the catalogue mean, "
            "queries by their own), and retrieval is repeated: nDCG@100 against the number of components on a log "
            "axis, one line per model, as the paper's Figure 1."
        ),
        parameters(
            '''
datasets = ["esci-sample200"]  # search dataset keys (gtebench.data.search.SEARCH_DATASETS)
models = ["minilm-l6", "mpnet-base", "tfidf-svd"]  # dense encoder keys
pca_alphas = [0.8, 0.95]  # explained-variance levels; the full dimension is always included
precision = "auto"  # rough scoring: bf16 where native (GPU, AVX-512 BF16, AMX), else fp32; the top 100 is exact either way
results_file = "ps_pca_default.csv"  # under results/ unless absolute
figure_file = "figure1_pca_default"  # under figures/ unless absolute; .png and .pdf
'''
        ),
        new_code_cell(
            '''
from pathlib import Path

from IPython.display import Markdown, display

from gtebench import paths
from gtebench.plots import plot_pca_compression, save_figure
from gtebench.search.experiment import SearchExperimentConfig, run_search_experiment
from gtebench.tables import describe_pca, pca_table

config = SearchExperimentConfig.from_params(datasets=datasets, models=models, pca_alphas=pca_alphas,
                                            precision=precision, results_file=results_file)
results = run_search_experiment(config)
print(f"{len(results)} result rows -> {config.results_file}")
'''
        ),
        new_markdown_cell("nDCG@100 (percent, all queries) at each number of components."),
        new_code_cell("pca_table(results).round(2)"),
        new_code_cell(
            '''
figure_stem = Path(figure_file) if Path(figure_file).is_absolute() else paths.figures_dir() / figure_file
print([str(p) for p in save_figure(plot_pca_compression(results), figure_stem)])
'''
        ),
        new_code_cell("display(Markdown(describe_pca(results)))"),
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
    "paper_vs_ours.ipynb": [
        new_markdown_cell(
            "# The paper against this reproduction\n\n"
            "Every number of the paper's tables (`lib/gtebench/paper_numbers/`) beside ours from the tidy results "
            "files in `results/` (mean over seeds, percent), with the delta; a cell we cannot compute here says why. "
            "Run last in a batch: it reads what the other notebooks wrote."
        ),
        parameters(
            '''
results_dir = ""  # folder of tidy results files; "" = results/
write_readme = True  # also render the summary into README.md between its paper-vs-ours markers
'''
        ),
        new_code_cell(
            '''
from pathlib import Path

from IPython.display import Markdown, display

from gtebench.report import paper_vs_ours, report_markdown, tidy_results, update_readme, write_report

directory = Path(results_dir) if results_dir else None
report = paper_vs_ours(tidy_results(directory))
print([str(p) for p in write_report(report, directory)])
if write_readme:
    print("README.md updated" if update_readme(report_markdown(report)) else "README.md already current")
'''
        ),
        new_code_cell("display(Markdown(report_markdown(report)))"),
        new_markdown_cell("Cells per status: where the reproduction stands against the paper on this machine."),
        new_code_cell('report.groupby(["table", "status"]).size().rename("cells").to_frame()'),
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
