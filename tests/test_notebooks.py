"""The notebooks: jupytext pairs (notebooks/<name>.py is the source, <name>.ipynb what papermill runs) that agree,
committed without outputs, and each one runs end to end through papermill with small parameters."""

from pathlib import Path

import pandas as pd
import pytest

from gtebench.batches import BATCHES, declared_parameters, notebooks_dir
from gtebench.reproduce import main
from gtebench.results import read_results

ROOT = Path(__file__).resolve().parents[1]
QUICK = {"max_users": 80, "max_epochs": 1, "parallel_runs": 1}
# the kernel `make setup` registers (python -m ipykernel install --sys-prefix --name gtebench ...)
KERNELSPEC = {"name": "gtebench", "display_name": "Python (gtebench)", "language": "python"}


def test_every_notebook_is_parameterised_and_committed_without_outputs():
    import nbformat

    notebooks = sorted(notebooks_dir().glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        assert declared_parameters(path), path
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert not any(c.get("outputs") for c in code), f"{path} has outputs: clear them in JupyterLab"
        assert all(c.get("execution_count") is None for c in code), f"{path} has execution counts: clear them"
        assert dict(notebook.metadata.get("kernelspec", {})) == KERNELSPEC, f"{path}: kernelspec is not gtebench"
    listed = {run.notebook for runs in BATCHES.values() for run in runs}
    assert listed <= {p.name for p in notebooks}


def _cells(notebook) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in notebook.cells]


def test_every_notebook_is_a_jupytext_pair_whose_two_files_agree():
    import jupytext
    import nbformat
    from jupytext.config import load_jupytext_config

    sources = sorted(notebooks_dir().glob("*.py"))
    notebooks = sorted(notebooks_dir().glob("*.ipynb"))
    assert sources
    config = load_jupytext_config(str(notebooks_dir()))  # notebooks/jupytext.toml: what JupyterLab and the CLI use
    assert config is not None and config.default_formats(str(notebooks[0])) == "ipynb,py:percent", config
    assert [p.stem for p in sources] == [p.stem for p in notebooks], (
        f"each notebooks/<name>.py needs its <name>.ipynb and vice versa (make notebooks): "
        f"only .py {sorted({p.stem for p in sources} - {p.stem for p in notebooks})}, "
        f"only .ipynb {sorted({p.stem for p in notebooks} - {p.stem for p in sources})}")
    for source in sources:
        compile(source.read_text(encoding="utf-8"), str(source), "exec")  # valid Python, as a linter will read it
        text = jupytext.read(source)
        assert text.metadata["jupytext"]["text_representation"]["format_name"] == "percent", source
        assert dict(text.metadata.get("kernelspec", {})) == KERNELSPEC, f"{source}: kernelspec is not gtebench"
        expected = _cells(text)
        actual = _cells(nbformat.read(source.with_suffix(".ipynb"), as_version=4))
        first = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b), min(len(expected), len(actual)))
        assert expected == actual, (
            f"{source} and {source.with_suffix('.ipynb').name} disagree ({len(expected)} against {len(actual)} cells, "
            f"first difference at cell {first}): run `make notebooks`")
        assert sum("parameters" in tags for _, _, tags in expected) == 1, f"{source}: one cell tagged parameters"


@pytest.mark.slow
def test_table1_notebook_executes_with_small_parameters(tmp_path):
    import nbformat
    import papermill as pm

    source = ROOT / "notebooks" / "table1_sequential_recommendation.ipynb"
    results_file = tmp_path / "sr.csv"
    pm.execute_notebook(
        str(source), str(tmp_path / "out.ipynb"), kernel_name="python3", cwd=str(source.parent), progress_bar=False,
        parameters={"encoders": ["tfidf-svd"], "seeds": [3], "profile_overrides": QUICK,
                    "results_file": str(results_file), "figure_file": str(tmp_path / "fig")},
    )
    frame = read_results(results_file)
    assert set(frame.model) == {"id", "tfidf-svd", "popularity"} and set(frame.split) == {"valid", "test"}
    significance = pd.read_csv(tmp_path / "sr_significance.csv")  # no generalist encoder in this run: no rows
    assert "p_wilcoxon_holm" in significance.columns and significance.empty
    intervals = pd.read_csv(tmp_path / "sr_intervals.csv")  # one seed: the figure's whiskers are these
    assert set(intervals.model) == {"id", "tfidf-svd", "popularity"} and (intervals.low <= intervals["mean"]).all()
    assert (intervals["mean"] <= intervals.high).all() and (intervals.units == 80).all()  # QUICK: 80 users
    assert (tmp_path / "fig.png").stat().st_size > 10_000 and (tmp_path / "fig.pdf").is_file()
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)  # the figure is shown in the notebook too
    assert any("image/png" in output.get("data", {}) for cell in executed.cells for output in cell.get("outputs", []))


@pytest.mark.slow
def test_batch_reports_a_failed_notebook_and_exits_non_zero(tmp_path, capsys):
    code = main(["--batch", "default", "--output-dir", str(tmp_path), "-p", "encoders", "[no-such-encoder]",
                 "-p", "dataset_statistics.results_file", str(tmp_path / "x.csv"),  # one file per notebook
                 "--only", "table1", "dataset_statistics", "embedding"])
    assert code == 1
    output = capsys.readouterr().out
    assert "FAILED" in output and "no-such-encoder" in output
    # the failed Table 1 notebook runs first; the statistics notebook after it still runs; the analysis notebook
    # declares `encoders` too and fails on the same unknown name (--only keeps the batch from rewriting results/)
    assert "dataset_statistics.ipynb" in output and "1 notebook(s) ok, 2 failed" in output
    assert (tmp_path / "dataset_statistics.ipynb").is_file()


@pytest.mark.slow
def test_search_notebooks_execute_on_the_esci_sample(tmp_path, monkeypatch):
    """With an empty shared-data folder: the default search set is the packaged ESCI sample (the kernels inherit
    the environment)."""
    import papermill as pm

    (tmp_path / "no-shared-data").mkdir()
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(tmp_path / "no-shared-data"))
    monkeypatch.delenv("GTEBENCH_ESCI_SAMPLE_DIR", raising=False)
    for name, parameters in (
        ("table2_product_search.ipynb", {"encoders": ["bm25", "bm25-paper", "tfidf-svd"]}),
        ("figure1_pca_compression.ipynb", {"encoders": ["tfidf-svd"], "pca_alphas": [0.9]}),
    ):
        source = ROOT / "notebooks" / name
        stem = name.split("_")[0]
        pm.execute_notebook(
            str(source), str(tmp_path / name), kernel_name="python3", cwd=str(source.parent), progress_bar=False,
            parameters={**parameters, "results_file": str(tmp_path / f"{stem}.csv"),
                        "figure_file": str(tmp_path / stem)},
        )
        frame = read_results(tmp_path / f"{stem}.csv")
        assert set(frame.task) == {"ps"} and set(frame.dataset) == {"esci-sample200"}
        assert (tmp_path / f"{stem}.png").stat().st_size > 10_000
    assert set(read_results(tmp_path / "figure1.csv").variant) == {"full", "pca90"}


@pytest.mark.slow
def test_a_failed_cell_still_leaves_the_table_and_figure_then_fails_the_notebook(tmp_path, monkeypatch):
    """text-embedding-3-large without OPENAI_API_KEY beside BM25: the BM25 cells are written and drawn, and the
    notebook's last cell fails with the recorded error (papermill, and so the batch, reports it)."""
    import nbformat
    import papermill as pm

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    source, output = ROOT / "notebooks" / "table2_product_search.ipynb", tmp_path / "table2.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as error:
        pm.execute_notebook(
            str(source), str(output), kernel_name="python3", cwd=str(source.parent), progress_bar=False,
            parameters={"datasets": ["esci-sample200"], "encoders": ["bm25", "text-embedding-3-large"],
                        "results_file": str(tmp_path / "ps.csv"), "figure_file": str(tmp_path / "ps")})
    assert error.value.ename == "CellsFailed" and "OPENAI_API_KEY" in error.value.evalue
    assert set(read_results(tmp_path / "ps.csv").model) == {"bm25"}
    assert (tmp_path / "ps.png").stat().st_size > 10_000  # the figure of what finished
    cells = [c for c in nbformat.read(output, as_version=4).cells if c.cell_type == "code"]
    assert "raise_recorded_failures" in cells[-1].source and cells[-1].outputs[-1]["output_type"] == "error"
    assert all(o.get("output_type") != "error" for c in cells[:-1] for o in c.outputs)


def test_embedding_analysis_notebook_executes_with_small_parameters(tmp_path):
    import papermill as pm

    source = ROOT / "notebooks" / "embedding_analysis.ipynb"
    pm.execute_notebook(
        str(source), str(tmp_path / "out.ipynb"), kernel_name="python3", cwd=str(source.parent), progress_bar=False,
        parameters={"encoders": ["tfidf-svd"], "results_file": str(tmp_path / "analysis.csv"),
                    "spectrum_file": str(tmp_path / "spectrum.csv"), "figure_prefix": str(tmp_path / "fig")},
    )
    frame = read_results(tmp_path / "analysis.csv")
    assert set(frame.model) == {"tfidf-svd"} and set(frame.task) == {"embedding"}
    assert {"d80", "d95", "isoscore", "effective_rank", "mean_cosine"} <= set(frame.metric)
    for name in ("fig_spectra.png", "fig_spectra.pdf", "fig_isotropy.png", "fig_isotropy.pdf"):
        assert (tmp_path / name).stat().st_size > 1000
