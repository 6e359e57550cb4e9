"""The documented folder format for a user's own data."""

import json

import pytest

from gtebench.data import DataError, prepare


def make_folder(tmp_path, items=None, interactions=None, options=None):
    folder = tmp_path / "shop"
    folder.mkdir(parents=True)
    items = items or [{"item_id": "1", "title": "Lamp", "brand": "Acme"}, {"item_id": "2", "title": "Desk"},
                      {"item_id": "3", "title": "Chair"}]
    (folder / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    # user u: 1 at t=5 written before 2 at t=3 (unsorted), then 3; item 9 has no metadata
    interactions = interactions or ("user_id,item_id,timestamp\nu,1,5\nu,2,3\nu,3,7\nu,9,8\n"
                                    "v,2,1\nv,3,2\nw,1,1\nw,2,2\nw,3,3\nw,1,4\n")
    (folder / "interactions.csv").write_text(interactions)
    if options is not None:
        (folder / "dataset.json").write_text(json.dumps(options))
    return folder


def test_custom_folder_is_prepared_through_the_same_interface(tmp_path):
    folder = make_folder(tmp_path, options={"text_template": "{title}. Brand: {brand}."})
    prepared = prepare(f"custom:{folder}")
    assert prepared.report == {"users_with_unsorted_timestamps": 1, "interactions_without_metadata": 1,
                               "items_with_empty_text": 0}
    rows = prepared.split_rows(10)
    assert rows[rows.user_id == "u"][["item_id", "split"]].values.tolist() == [["1", "valid"], ["3", "test"]]
    assert prepared.item_texts().to_dict() == {"1": "Lamp. Brand: Acme.", "2": "Desk. Brand: .", "3": "Chair. Brand: ."}
    data_path, name = prepared.recbole_benchmark(10, None)
    assert name == "custom_shop_seq" and (data_path / name / f"{name}.test.inter").is_file()


def test_named_recipe_and_bad_inputs(tmp_path):
    folder = make_folder(tmp_path, options={"text_recipe": "nope"})
    with pytest.raises(DataError, match="unknown text recipe 'nope'"):
        prepare(f"custom:{folder}")
    dup = make_folder(tmp_path / "d", items=[{"item_id": "1", "title": "a"}, {"item_id": "1", "title": "b"}])
    with pytest.raises(DataError, match=r"items.jsonl: 1 duplicate item_id"):
        prepare(f"custom:{dup}")
    bad = make_folder(tmp_path / "b", interactions="user_id,item_id\nu,1\n")
    with pytest.raises(DataError, match=r"interactions.csv: missing required column\(s\) \['timestamp'\]"):
        prepare(f"custom:{bad}")
    with pytest.raises(DataError, match="does not exist"):
        prepare(f"custom:{tmp_path / 'absent'}")
    (folder / "interactions.csv").unlink()
    (folder / "dataset.json").unlink()
    with pytest.raises(DataError, match=r"no interactions\{.jsonl,.csv\}\[.gz\] in .*shop"):
        prepare(f"custom:{folder}")
