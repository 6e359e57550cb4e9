"""The paper-vs-ours report: deltas where we have the cell, a reason where we do not, the README in sync."""

import pandas as pd
import pytest

from gtebench.report import (
    README_END,
    README_START,
    STAND_IN,
    paper_vs_ours,
    report_markdown,
    tidy_results,
    update_readme,
    write_report,
)
from gtebench.results import COLUMNS


def _ours(dataset, backbone, variant, model, metric, value, seed=1):
    return {**dict.fromkeys(COLUMNS, ""), "task": "sr", "dataset": dataset, "backbone": backbone, "variant": variant,
            "model": model, "metric": metric, "split": "test", "value": value, "seed": seed}


def test_compared_cells_carry_the_delta_and_the_rest_say_why():
    ours = pd.DataFrame([
        _ours("amazon2023/All_Beauty", "sasrec", "id", "id", "ndcg@10", 0.0020, seed=1),
        _ours("amazon2023/All_Beauty", "sasrec", "id", "id", "ndcg@10", 0.0030, seed=2),  # mean 0.25%
        _ours("amazon2023/All_Beauty", "sasrec", "text", "minilm-l6", "ndcg@10", 0.004),
    ])
    full = paper_vs_ours(ours)
    report = full[full["table"] == "table1"].set_index(["dataset", "backbone", "variant", "model", "metric"])
    cell = report.loc[("amazon2023/All_Beauty", "sasrec", "id", "id", "ndcg@10")]
    assert cell["status"] == "compared" and cell["paper"] == 0.18
    assert cell["ours"] == pytest.approx(0.25) and cell["delta"] == pytest.approx(0.07)
    status = report["status"]
    assert status[("amazon2023/Video_Games", "sasrec", "id", "id", "ndcg@10")].startswith("dataset not on")
    assert "OpenAI" in status[("amazon2023/All_Beauty", "sasrec", "text", "text-embedding-3-large", "ndcg@10")]
    assert "weights" in status[("amazon2023/All_Beauty", "sasrec", "text", "nv-embed-v2", "ndcg@10")]
    assert "backbone 'gru4rec' not run" in status[("amazon2023/All_Beauty", "gru4rec", "id", "id", "ndcg@10")]
    assert status[("amazon2023/All_Beauty", "sasrec", "id", "id", "recall@10")] == "configuration not run here"
    markdown = report_markdown(full)
    assert "1 of 204 cells" in markdown and "0.07" in markdown and "0 of 78 cells" in markdown


def test_report_files_and_readme_block(tmp_path):
    report = paper_vs_ours(pd.DataFrame(columns=COLUMNS))
    csv_path, md_path = write_report(report, tmp_path)
    assert len(pd.read_csv(csv_path)) == len(report) and md_path.read_text().startswith("**Table 1")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{README_START}\nold\n{README_END}\noutro\n")
    assert update_readme("new report\n", readme) is True
    assert readme.read_text() == f"intro\n{README_START}\nnew report\n{README_END}\noutro\n"
    assert update_readme("new report\n", readme) is False  # already current
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="markers"):
        update_readme("x", readme)


def test_tidy_results_skips_other_csv_files(tmp_path):
    pd.DataFrame({"dataset": ["x"], "statistic": ["users"], "value": [1]}).to_csv(tmp_path / "stats.csv", index=False)
    assert tidy_results(tmp_path).empty


def test_the_committed_readme_shows_the_report_of_the_committed_results():
    from gtebench import paths

    readme = (paths.repo_root() / "README.md").read_text(encoding="utf-8")
    block = readme.split(README_START, 1)[1].split(README_END, 1)[0]
    assert block == "\n" + report_markdown(paper_vs_ours()), "run the paper_vs_ours notebook (make reproduce)"


def test_table2_cells_compare_search_rows_per_domain():
    row = {**_ours("esci", "-", "full", "bm25-paper", "ndcg@100", 0.02), "task": "ps", "domain": "Office_Products"}
    report = paper_vs_ours(pd.DataFrame([row]))
    cell = report[(report["table"] == "table2") & (report["status"] == "compared")]
    assert len(cell) == 1 and cell.iloc[0]["paper"] == 1.35 and cell.iloc[0]["delta"] == pytest.approx(0.65)


def test_a_cell_that_failed_in_a_run_shows_its_error(tmp_path):
    from gtebench.failures import CellFailure, write_failures
    from gtebench.report import recorded_failures

    failure = CellFailure("amazon2023/All_Beauty", "encode", "nv-embed-v2", "EncoderError",
                          "encoder 'nv-embed-v2' needs transformers>=4.42,<4.48 (installed 5.24.0): make paper-env")
    write_failures([failure], tmp_path / "sr_paper.csv")
    failed = recorded_failures(tmp_path)
    ours = pd.DataFrame([_ours("amazon2023/All_Beauty", "sasrec", "id", "id", "ndcg@10", 0.002)])
    report = paper_vs_ours(ours, failed=failed)
    beauty = report[(report["table"] == "table1") & (report["dataset"] == "amazon2023/All_Beauty")]
    nv_embed = beauty.loc[beauty["model"] == "nv-embed-v2", "status"]
    assert len(nv_embed) and nv_embed.str.startswith("failed: EncoderError: encoder 'nv-embed-v2' needs").all()
    assert beauty.loc[beauty["model"] == "blair-base", "status"].str.contains("weights").all()  # keeps its reason


def test_datasets_outside_the_paper_are_stand_ins_not_paper_cells():
    rows = [{**_ours("homedepot", "-", variant, model, "ndcg@100", value), "task": "ps", "domain": "All"}
            for variant, model, value in (("full", "bm25", 0.30), ("full", "minilm-l6", 0.25),
                                          ("pca80", "minilm-l6", 0.2))]
    report = paper_vs_ours(pd.DataFrame(rows), failed={})
    stand_ins = report[report["status"] == STAND_IN]
    assert len(stand_ins) == 3 and stand_ins["paper"].isna().all() and set(stand_ins["table"]) == {"table2"}
    assert not (report["status"] == "compared").any()
    markdown = report_markdown(report)
    assert "0 of 78 cells of the paper computed here" in markdown  # stand-ins are not counted as paper cells
    assert "- stand-in **homedepot** (3 cells of ours, not paper cells): best ndcg@100 bm25 30.00" in markdown
