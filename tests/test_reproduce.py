"""The batch's profiles: named ones, YAML files a user writes, and the GPU estimate of the paper profile."""

import pytest

from gtebench.reproduce import BATCH_PROFILES, batch_estimate, load_batch_profile


def test_named_profiles_and_the_paper_estimate():
    assert load_batch_profile("default") is BATCH_PROFILES["default"]
    estimate = batch_estimate(BATCH_PROFILES["paper"])
    assert {d for d, _ in estimate.encoding} == {"amazon2023/All_Beauty", "amazon2023/Video_Games",
                                                 "amazon2023/Baby_Products", "esci", "amazon-c4"}
    assert ("esci", "nv-embed-v2") in estimate.encoding and not any(m.startswith("bm25") for _, m in estimate.encoding)
    assert estimate.total > 1  # hours, not seconds: the paper's grid needs a GPU


def test_a_yaml_profile_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("notebooks:\n  - notebook: table1_sequential_recommendation.ipynb\n"
                    "    parameters: {datasets: [ml-latest-small], encoders: [minilm-l6]}\n")
    (run,) = load_batch_profile(str(path))
    assert run.notebook == "table1_sequential_recommendation.ipynb"
    assert run.parameters == {"datasets": ["ml-latest-small"], "encoders": ["minilm-l6"]}


@pytest.mark.parametrize("text,match", [
    ("{}", "non-empty 'notebooks' list"),
    ("notebooks: [table1]", "must be {notebook"),
    ("notebooks:\n  - notebook: nope.ipynb", "not a notebook in"),
])
def test_bad_profile_files_say_what_is_expected(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_batch_profile(str(path))


def test_unknown_profile_names_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="known"):
        load_batch_profile("defualt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_batch_profile(str(tmp_path / "missing.yaml"))
