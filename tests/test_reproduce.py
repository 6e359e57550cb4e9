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
