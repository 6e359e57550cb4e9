"""`gtebench evaluate`: an offline model and a local folder through the search protocol beside the committed rows;
an unknown model fails with the valid choices; results never land in the committed files."""

import pytest

from gtebench import evaluate
from gtebench.__main__ import main as gtebench_main
from gtebench.encoders.offline import resolve_model_path
from gtebench.encoders.registry import ENCODERS, get_encoder

pytestmark = pytest.mark.slow


def test_an_offline_model_is_scored_beside_the_committed_models(tmp_path):
    tables, folder = evaluate.evaluate("minilm-l6", search_datasets=["esci-sample200"], folder=tmp_path / "out")
    table = tables["ps"]
    assert folder == tmp_path / "out" and (folder / "ps.csv").is_file()
    assert "minilm-l6" in set(table["model"]) and len(table) > 1  # the committed rows are there too
    assert table["ndcg@100"].between(0, 100).all()


def test_a_folder_with_a_prompt_from_the_command_line(tmp_path, capsys):
    folder = resolve_model_path(get_encoder("minilm-l6"))
    code = gtebench_main(["evaluate", folder, "--datasets", "esci-sample200", "--query-prompt", "query: ",
                          "--output-dir", str(tmp_path / "out"), "--mteb-dir", str(tmp_path / "mteb")])
    out = capsys.readouterr().out
    assert code == 0 and "Product search" in out and str(tmp_path / "out") in out
    written = (tmp_path / "out" / "ps.csv").read_text()
    # its own key, the setting in it: the prompt changes the vectors, so they cache apart; nothing is registered
    assert f'path:{folder}?{{""query_prompt"":""query: ""}}' in written  # (CSV doubles the quotes)
    assert not any(k.startswith(f"path:{folder}") for k in ENCODERS)
    exported = list((tmp_path / "mteb").glob("*/*/gtebench-esci-sample200.json"))  # MTEB's result format too
    assert len(exported) == 1 and '"main_score"' in exported[0].read_text()


def test_an_unknown_model_fails_clearly(capsys):
    with pytest.raises(SystemExit) as exit_:
        gtebench_main(["evaluate", "no-such-model", "--datasets", "esci-sample200"])
    assert exit_.value.code == 2
    assert "unknown encoder 'no-such-model'" in capsys.readouterr().err


def test_the_command_lists_its_subcommands(capsys):
    assert gtebench_main(["--help"]) == 0 and "evaluate <model>" in capsys.readouterr().out
    assert gtebench_main(["evalute"]) == 2 and "unknown command 'evalute'" in capsys.readouterr().err


def test_evaluations_go_under_results_evaluate():
    assert evaluate.output_dir("hf:BAAI/bge-small-en-v1.5").parts[-2:] == ("evaluate", "hf_BAAI_bge-small-en-v1.5")
