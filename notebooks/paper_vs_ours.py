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
# # The paper against this reproduction
#
# Every number of the paper's tables (`lib/gtebench/paper_numbers/`) beside ours from the tidy results files in
# `results/` (mean over seeds, percent), with the delta; a cell we cannot compute here says why. Run last in a batch: it
# reads what the other notebooks wrote.

# %% tags=["parameters"]
results_dir = ""  # folder of tidy results files; "" = results/
write_readme = True  # also render the summary into README.md between its paper-vs-ours markers

# %%

from pathlib import Path

from IPython.display import Markdown, display

from gtebench.report import paper_vs_ours, report_markdown, tidy_results, update_readme, write_report

directory = Path(results_dir) if results_dir else None
report = paper_vs_ours(tidy_results(directory))
print([str(p) for p in write_report(report, directory)])
if write_readme:
    print("README.md updated" if update_readme(report_markdown(report)) else "README.md already current")

# %%
display(Markdown(report_markdown(report)))

# %% [markdown]
# Cells per status: where the reproduction stands against the paper on this machine.

# %%
report.groupby(["table", "status"]).size().rename("cells").to_frame()
