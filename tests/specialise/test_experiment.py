"""The specialisation experiment end to end at a tiny size: the base, its specialised version and the classic floor
run through recommendation, search and the analysis, and every model is paired with its base."""

import json

import pandas as pd
import pytest

from gtebench.specialise.compare import title_table
from gtebench.specialise.experiment import SpecialisationConfig, run_specialisation_experiment
from gtebench.specialise.recipes import SpecialisationError

pytestmark = pytest.mark.slow


def _shop(folder, users=40, items=60):
    """A custom recommendation dataset: each user buys 8 of the items in a user-specific cycle."""
    folder.mkdir(parents=True)
    names = ["lamp", "tent", "stove", "rope", "knife", "boots", "map", "mug", "hat", "desk"]
    (folder / "items.jsonl").write_text("".join(
        json.dumps({"item_id": f"i{i}", "title": f"{names[i % 10]} model {i}"}) + "\n" for i in range(items)))
    (folder / "interactions.csv").write_text("user_id,item_id,timestamp\n" + "".join(
        f"u{u},i{(u + 3 * t) % items},{t}\n" for u in range(users) for t in range(8)))
    return f"custom:{folder}"


def test_the_experiment_compares_each_specialised_model_with_its_base(tiny, tmp_path):
    config = SpecialisationConfig.from_params(
        bases=["minilm-l6"], recipes=["tiny"], sr_datasets=[_shop(tmp_path / "shop")], backbones=["sasrec"],
        seeds=[1],
        search_datasets=["esci-sample200"], profile_overrides={"max_epochs": 1, "parallel_runs": 1},
        results_prefix=str(tmp_path / "spec"))
    out = run_specialisation_experiment(config, progress=False)
    models = out["models"]
    assert models[["model", "base", "recipe", "steps"]].values.tolist() == [[tiny, "minilm-l6", "tiny", 4]]
    assert models["seconds"].iloc[0] > 0 and models["train_loss"].iloc[0] > 0
    assert {"minilm-l6", tiny, "tfidf-svd", "id"} <= set(out["sr"]["model"])
    assert {"bm25", "minilm-l6", tiny, "tfidf-svd"} == set(out["ps"]["model"])
    assert {tiny, "minilm-l6"} <= set(out["analysis"]["model"])
    comparison = out["comparison"]
    paired = comparison[comparison["model"] == tiny]
    assert set(paired["task"]) == {"sr/sasrec", "search"} and (paired["base"] == "minilm-l6").all()
    for part in ("models", "sr", "ps", "analysis", "comparison"):
        assert config.file(part).is_file(), part
    table = title_table(comparison, {"tiny": {"esci-sample200"}})
    assert len(table) == 2 and table.notna().any().all()
    written = pd.read_csv(config.file("comparison"))
    assert len(written) == len(comparison)


def test_unknown_recipes_and_bases_fail_before_anything_runs(tmp_path):
    common = dict(sr_datasets=[], backbones=[], seeds=[], search_datasets=["esci-sample200"],
                  results_prefix=str(tmp_path / "x"))
    with pytest.raises(SpecialisationError, match="unknown specialisation recipe 'blair-review'"):
        SpecialisationConfig.from_params(bases=["minilm-l6"], recipes=["blair-review"], **common)
    with pytest.raises(SpecialisationError, match="bases must be a non-empty list"):
        SpecialisationConfig.from_params(bases="minilm-l6", recipes=["next-item"], **common)


def test_a_dataset_smaller_than_the_cut_off_fails_its_cells_with_a_clear_error(tmp_path):
    from gtebench.failures import CellsFailed
    from gtebench.recsys.experiment import SRExperimentConfig, run_sr_experiment

    config = SRExperimentConfig.from_params(
        datasets=[_shop(tmp_path / "small", items=30)], backbones=["sasrec"], encoders=["tfidf-svd"], seeds=[1],
        profile_overrides={"max_epochs": 1, "parallel_runs": 1}, results_file=str(tmp_path / "sr.csv"))
    with pytest.raises(CellsFailed, match="has 30 items, fewer than the largest cut-off k = 50"):
        run_sr_experiment(config, progress=False)  # every run fails: reported as cells, never a pandas error
