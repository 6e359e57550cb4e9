"""Batches of notebooks: named ones, YAML files a user writes, the GPU estimate of the paper batch."""

import pytest

from gtebench.batches import BATCHES, load_batch
from gtebench.reproduce import batch_estimate


def test_named_batches_and_the_paper_estimate():
    assert load_batch("default") is BATCHES["default"]
    estimate = batch_estimate(BATCHES["paper"])
    assert {d for d, _ in estimate.encoding} == {"amazon2023/All_Beauty", "amazon2023/Video_Games",
                                                 "amazon2023/Baby_Products", "esci", "amazon-c4"}
    assert ("esci", "nv-embed-v2") in estimate.encoding and not any(m.startswith("bm25") for _, m in estimate.encoding)
    assert estimate.total > 1  # hours, not seconds: the paper's grid needs a GPU
    # 51 training runs on the three Amazon 2023 sets, kept per model too: 6 with ID items, 9 per SR encoder
    beauty_id = estimate.training_by_model[("amazon2023/All_Beauty", "id")]
    assert beauty_id == pytest.approx(104_766 * 40 * 2 / 20_000 / 3600)
    assert sum(estimate.training.values()) == pytest.approx(sum(estimate.training_by_model.values()))


def test_a_yaml_batch_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("notebooks:\n  - notebook: table1_sequential_recommendation.ipynb\n"
                    "    parameters: {datasets: [ml-latest-small], encoders: [minilm-l6]}\n")
    (run,) = load_batch(str(path))
    assert run.notebook == "table1_sequential_recommendation.ipynb"
    assert run.parameters == {"datasets": ["ml-latest-small"], "encoders": ["minilm-l6"]}


@pytest.mark.parametrize("text,match", [
    ("{}", "non-empty 'notebooks' list"),
    ("notebooks: [table1]", "must be {notebook"),
    ("notebooks:\n  - notebook: nope.ipynb", "not a notebook in"),
])
def test_bad_batch_files_say_what_is_expected(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_batch(str(path))


def test_unknown_batch_names_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="known"):
        load_batch("defualt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_batch(str(tmp_path / "missing.yaml"))


def test_each_batch_keeps_its_own_executed_notebooks(tmp_path):
    from gtebench import paths
    from gtebench.reproduce import executed_dir

    base = paths.results_dir() / "executed"
    assert executed_dir("default") == base  # the committed record of make reproduce
    assert executed_dir("scientific") == base / "scientific"  # not over the default batch's table1 copy
    assert executed_dir(str(tmp_path / "mine.yaml")) == base / "mine"


def test_the_default_batch_runs_three_seeds_and_the_others_say_theirs():
    from gtebench.batches import declared_parameters, notebooks_dir

    source = (notebooks_dir() / "table1_sequential_recommendation.ipynb").read_text()
    assert "seeds = [2020, 2021, 2022]" in source  # the default batch: three seeds, mean and std
    assert "seeds" in declared_parameters(notebooks_dir() / "table1_sequential_recommendation.ipynb")
    for batch in ("scientific", "paper"):
        (table1,) = [r for r in BATCHES[batch] if r.notebook.startswith("table1")]
        assert table1.parameters["seeds"] == [2020]


def test_the_old_profile_flag_still_names_a_batch(monkeypatch, capsys):
    from gtebench import dryrun
    from gtebench.reproduce import main

    monkeypatch.setattr(dryrun, "hub_online", lambda: (False, "offline in the tests"))
    assert main(["--profile", "default", "--dry-run"]) == 0  # the legacy spelling of --batch default
    captured = capsys.readouterr()
    assert "note: --profile is now --batch; running --batch default" in captured.err
    assert "Dry run of batch 'default'" in captured.out
    with pytest.raises(SystemExit) as exit_info:  # both, naming different batches: which one was meant?
        main(["--batch", "paper", "--profile", "scientific", "--dry-run"])
    assert exit_info.value.code == 2
    assert "give one of them" in capsys.readouterr().err


def test_an_unknown_parameter_is_an_error_before_any_notebook_runs(tmp_path, capsys):
    from gtebench.reproduce import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--batch", "default", "--output-dir", str(tmp_path), "-p", "seedz", "[1]"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "-p seedz: no notebook of this run has that parameter" in err and "'seeds'" in err.split("Did you mean")[1]
    assert list(tmp_path.iterdir()) == []  # no kernel started, nothing written
    with pytest.raises(SystemExit):  # a parameter of a notebook that --only leaves out is unknown too
        main(["--batch", "default", "--output-dir", str(tmp_path), "--only", "table2", "-p", "seeds", "[1]"])
    assert "valid: [" in capsys.readouterr().err


@pytest.mark.parametrize("name,value,message", [
    ("seeds", "2020", r"seeds must be a non-empty list, e.g. \[2020\], got 2020"),  # was a TypeError in the kernel
    ("table1.seeds", "[two]", "seeds must be integers"),
    ("results_file", "x.csv", "5 notebooks of this run write it .* each would overwrite the last; give it to one "
                              "notebook, e.g. -p table1.results_file 'x.csv'"),
    ("encoders", "[{model: minilm-l6, polling: mean}]", r"unknown setting\(s\) \['polling'\]"),
    ("table1.profile", "fast", "known profiles"),
])
def test_a_bad_value_is_an_error_before_any_kernel_starts(tmp_path, monkeypatch, capsys, name, value, message):
    import re

    import papermill

    from gtebench.reproduce import main

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel started")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    with pytest.raises(SystemExit) as exit_info:
        main(["--batch", "default", "--output-dir", str(tmp_path), "-p", name, value])
    assert exit_info.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert re.search(message, err), err
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_the_dry_run_reports_a_bad_value_as_a_problem(capsys):
    from gtebench.reproduce import main

    assert main(["--batch", "default", "--dry-run", "--only", "table1", "-p", "seeds", "2020"]) == 1
    assert "seeds must be a non-empty list, e.g. [2020], got 2020" in capsys.readouterr().out


def test_a_scoped_parameter_reaches_only_its_notebook_and_bad_scopes_are_named():
    from gtebench.batches import select_runs

    selected = dict((run.notebook, params) for run, params in
                    select_runs(BATCHES["default"], {"table1.seeds": [2020], "datasets": ["esci-sample200"]}))
    assert selected["table1_sequential_recommendation.ipynb"]["seeds"] == [2020]
    assert "seeds" not in selected["table2_product_search.ipynb"]  # scoped: table2 keeps its own parameters
    with pytest.raises(ValueError, match=r"no notebook of this run is called 'tabel1'.*Did you mean \['table1'"):
        select_runs(BATCHES["default"], {"tabel1.seeds": [2020]})
    with pytest.raises(ValueError, match=r"table2_product_search.ipynb has no parameter 'seeds'; valid: \["):
        select_runs(BATCHES["default"], {"table2.seeds": [2020]})


def test_a_run_that_departs_from_its_batch_writes_under_custom_never_over_the_committed_outputs():
    from gtebench import paths
    from gtebench.batches import CUSTOM_OUTPUT, select_runs

    committed = select_runs(BATCHES["default"])
    assert not any(run.custom for run, _ in committed)
    same = select_runs(BATCHES["default"], {"table1.seeds": [2020, 2021, 2022]})  # the committed value: no change
    assert not any(run.custom for run, _ in same) and all("results_file" not in p for _, p in same)
    quick = dict((run.notebook, (run, params)) for run, params in
                 select_runs(BATCHES["default"], {"table1.seeds": [2020], "table2.results_file": "mine.csv"}))
    run, table1 = quick["table1_sequential_recommendation.ipynb"]
    assert run.custom and table1["results_file"] == f"{CUSTOM_OUTPUT}/sr_default.csv"
    assert table1["figure_file"] == f"{CUSTOM_OUTPUT}/sr_default"
    assert quick["table2_product_search.ipynb"][1]["results_file"] == "mine.csv"  # named by the user: kept
    assert quick["embedding_analysis.ipynb"][1]["spectrum_file"].startswith(f"{CUSTOM_OUTPUT}/")
    report = quick["paper_vs_ours.ipynb"][1]
    assert report["results_dir"] == str(paths.results_dir() / CUSTOM_OUTPUT) and report["write_readme"] is False


def test_a_custom_run_keeps_its_executed_copies_apart(tmp_path, monkeypatch, capsys):
    import papermill

    from gtebench import reproduce
    from gtebench.batches import CUSTOM_OUTPUT

    calls = []
    monkeypatch.setattr(papermill, "execute_notebook",
                        lambda src, out, parameters, **kw: calls.append((out, parameters)))
    monkeypatch.setattr(reproduce, "executed_dir", lambda batch: tmp_path / "executed")
    statuses = reproduce.run_batch("default", {"table1.seeds": [2020]}, only=["table1"])
    assert statuses[0].ok and calls[0][0] == str(tmp_path / "executed" / CUSTOM_OUTPUT /
                                                 "table1_sequential_recommendation.ipynb")
    assert calls[0][1]["results_file"] == f"{CUSTOM_OUTPUT}/sr_default.csv"
    assert "never over the committed ones" in capsys.readouterr().out


@pytest.mark.parametrize("quiet", [False, True])
def test_quiet_turns_off_the_notebook_output_and_the_kernels_progress(tmp_path, monkeypatch, capsys, quiet):
    import os

    import papermill

    from gtebench import reproduce
    from gtebench.quiet import QUIET_ENV

    monkeypatch.delenv(QUIET_ENV, raising=False)
    seen = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda src, out, parameters, log_output, **kw: seen.append(
        (log_output, os.environ.get(QUIET_ENV))))
    reproduce.run_batch("default", only=["dataset_statistics"], output_dir=tmp_path, quiet=quiet)
    assert seen == [(False, "1")] if quiet else seen == [(True, None)]
    assert QUIET_ENV not in os.environ  # restored for whatever runs next in this process
    assert "[default 1/1, 0.0 min] dataset_statistics.ipynb" in capsys.readouterr().out
