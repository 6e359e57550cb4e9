"""The dataset registry and the real bundled MovieLens-100k (it ships inside the recbole wheel)."""

import pytest

from gtebench.data import DataError, get_dataset, prepare
from gtebench.data.movielens import load_ml100k


def test_unknown_dataset_lists_known_and_close_names():
    with pytest.raises(DataError, match=r"known datasets: \[.*'ml-100k'.*\].*Did you mean \['ml-100k'"):
        get_dataset("ml-100")


def test_ml100k_loads_real_counts():
    interactions, items = load_ml100k()
    assert len(interactions) == 100_000
    assert interactions.user_id.nunique() == 943
    assert len(items) == 1682
    toy_story = items.set_index("item_id").loc["1"]
    expected = ("Toy Story", "1995", ["Animation", "Children's", "Comedy"])
    assert (toy_story.title, toy_story.year, toy_story.genres) == expected


def test_missing_ml100k_folder_names_the_path(tmp_path):
    with pytest.raises(DataError, match="ml-100k.inter not found"):
        load_ml100k(tmp_path)


def test_recbole_benchmark_export_is_reused_and_follows_the_protocol():
    prepared = prepare("ml-100k")
    data_path, name = prepared.recbole_benchmark(max_history=20, train_prefixes_per_user=20)
    folder = data_path / name
    stamp = (folder / f"{name}.train.inter").stat().st_mtime_ns
    assert prepared.recbole_benchmark(20, 20) == (data_path, name)
    assert (folder / f"{name}.train.inter").stat().st_mtime_ns == stamp  # reused, not rewritten
    test_lines = (folder / f"{name}.test.inter").read_text().splitlines()[1:]
    valid_lines = (folder / f"{name}.valid.inter").read_text().splitlines()[1:]
    assert len(test_lines) == len(valid_lines) == 943  # leave-one-out: one valid and one test row per user
    assert max(len(line.split("\t")[1].split()) for line in test_lines) == 20
    train_users = [line.split("\t")[0] for line in (folder / f"{name}.train.inter").read_text().splitlines()[1:]]
    assert max(train_users.count(u) for u in set(train_users)) == 20
    assert prepared.recbole_benchmark(20, 10)[0] != data_path  # other parameters, other export


def test_export_manifest_records_sources_recipe_and_counts():
    from gtebench.io import read_json
    from gtebench.text import get_recipe

    prepared = prepare("ml-100k")
    data_path, name = prepared.recbole_benchmark(max_history=20, train_prefixes_per_user=5, max_users=50)
    manifest = read_json(data_path / name / "manifest.json")
    assert set(manifest["params"]["sources"]) == {"ml-100k.inter", "ml-100k.item"}
    assert manifest["text_recipe"]["hash"] == get_recipe("movielens").hash
    assert manifest["rows"]["test"] == 50
