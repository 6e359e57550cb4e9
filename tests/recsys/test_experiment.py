import pytest

from gtebench.data import DataError
from gtebench.encoders.registry import EncoderError
from gtebench.profiles import ProfileError
from gtebench.recsys.experiment import ConfigError, SRExperimentConfig

GOOD = dict(datasets=["ml-100k"], backbones=["sasrec"], encoders=["minilm-l6", "tfidf-svd"], seeds=[1, 2])


def test_from_params_builds_one_run_per_cell():
    config = SRExperimentConfig.from_params(**GOOD, results_file="/tmp/x.csv")
    specs = config.run_specs()
    assert len(specs) == 2 * 3 + 1  # seeds x (id + 2 encoders) + one popularity row
    assert {(s.backbone, s.variant, s.encoder) for s in specs} == {
        ("sasrec", "id", None), ("sasrec", "text", "minilm-l6"), ("sasrec", "text", "tfidf-svd"),
        ("popularity", "id", None)}
    assert len(SRExperimentConfig.from_params(**GOOD, include_popularity=False).run_specs()) == 6
    assert str(config.results_file) == "/tmp/x.csv"


def test_an_encoder_with_settings_is_a_mapping_in_the_list():
    entry = {"model": "minilm-l6", "query_prompt": "query: ", "normalize": False}
    config = SRExperimentConfig.from_params(**{**GOOD, "encoders": [entry, "tfidf-svd"], "seeds": [1]})
    keys = {s.encoder for s in config.run_specs()} - {None}
    assert keys == {'minilm-l6?{"normalize":false,"query_prompt":"query: "}', "tfidf-svd"}
    spec = next(s for s in config.run_specs() if s.encoder and "?" in s.encoder)
    assert spec.run_dir().name.startswith("sasrec-text-minilm-l6-")  # a folder name, the settings hashed into it


def test_a_text_only_backbone_gets_no_id_run():
    config = SRExperimentConfig.from_params(**{**GOOD, "backbones": ["unisrec", "bert4rec"], "seeds": [1]},
                                            include_popularity=False)
    assert {(s.backbone, s.variant, s.encoder) for s in config.run_specs()} == {
        ("unisrec", "text", "minilm-l6"), ("unisrec", "text", "tfidf-svd"),
        ("bert4rec", "id", None), ("bert4rec", "text", "minilm-l6"), ("bert4rec", "text", "tfidf-svd")}


@pytest.mark.parametrize(
    "change,error,match",
    [
        ({"datasets": ["ml-1m"]}, DataError, "known datasets"),
        ({"encoders": ["nv-embed"]}, EncoderError, "known encoders"),
        ({"encoders": "minilm-l6"}, ConfigError, "list of encoder keys"),
        ({"seeds": []}, ConfigError, "non-empty list"),
        ({"seeds": 2020}, ConfigError, r"non-empty list, e.g. \[2020\]"),  # -p seeds 2020 was a TypeError
        ({"datasets": "ml-100k"}, ConfigError, "non-empty list"),
        ({"seeds": ["1"]}, ConfigError, "integers"),
        ({"profile": "fast"}, ProfileError, "known profiles"),
        ({"profile_overrides": {"epochs": 3}}, ProfileError, "unknown profile setting"),
        ({"results_file": "out.parquet"}, ConfigError, ".csv"),
        ({"encoders": [], "include_id": False}, ConfigError, "nothing to run"),
        ({"backbones": ["popularity"]}, ConfigError, "baseline"),
        ({"pca_alphas": 0.8}, ConfigError, "list of explained-variance fractions"),
        ({"pca_alphas": [80]}, ConfigError, r"in \(0, 1\)"),
        ({"pca_alphas": [0.8], "encoders": []}, ConfigError, "at least one encoder"),
        ({"backbones": ["unisrec"], "encoders": []}, ConfigError, "text-only"),
        ({"encoders": [{"model": "minilm-l6", "polling": "mean"}]}, EncoderError, r"unknown setting.*polling"),
    ],
)
def test_bad_parameters_say_what_is_valid(change, error, match):
    with pytest.raises(error, match=match):
        SRExperimentConfig.from_params(**{**GOOD, **change})


def test_pca_alphas_add_compressed_text_runs_per_encoder():
    specs = SRExperimentConfig.from_params(**GOOD, pca_alphas=[0.8, 0.95], include_popularity=False).run_specs()
    assert len(specs) == 2 * (1 + 2 * 3)  # seeds x (id + 2 encoders x {full, d(0.80), d(0.95)})
    labels = {(s.encoder, s.variant_label) for s in specs if s.variant == "text"}
    assert labels == {(e, v) for e in ("minilm-l6", "tfidf-svd") for v in ("text", "text-pca80", "text-pca95")}
    assert len({s.run_id for s in specs}) == len(specs)


@pytest.mark.slow
def test_one_encoder_that_cannot_load_costs_only_its_own_cells(monkeypatch, tmp_path):
    """nv-embed-v2 with an unmet requirement (as in any environment but the paper one) next to an offline encoder:
    the ID, popularity and minilm cells complete and are written; the failure is listed, then raised."""
    import pandas as pd

    from gtebench.encoders import registry
    from gtebench.failures import CellsFailed, failures_file
    from gtebench.recsys.experiment import run_sr_experiment

    broken = registry.get_encoder("nv-embed-v2", requires=("transformers<1",))
    monkeypatch.setitem(registry.ENCODERS, "nv-embed-v2", broken)
    config = SRExperimentConfig.from_params(
        datasets=["ml-100k"], backbones=["sasrec"], encoders=["nv-embed-v2", "minilm-l6"], profile="default",
        profile_overrides={"max_users": 60, "max_epochs": 1, "parallel_runs": 1}, results_file=str(tmp_path / "sr.csv"))
    with pytest.raises(CellsFailed) as error:
        run_sr_experiment(config, progress=False)
    assert "nv-embed-v2 (encode): EncoderError" in str(error.value) and "make paper-env" in str(error.value)
    written = pd.read_csv(config.results_file)
    assert set(written["model"]) == {"id", "popularity", "minilm-l6"}  # every other cell of the table
    failed = pd.read_csv(failures_file(config.results_file))
    assert failed[["dataset", "cell", "model"]].values.tolist() == [["ml-100k", "encode", "nv-embed-v2"]]
    # as the notebook runs it: the finished runs come back (reused) to be drawn; its last cell raises
    frame = run_sr_experiment(config, progress=False, raise_failures=False)
    assert set(frame["model"]) == {"id", "popularity", "minilm-l6"}
