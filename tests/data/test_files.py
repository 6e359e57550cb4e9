"""Source-file helpers: gzip-or-plain reading, JSON lines with line numbers, locating files, the data root."""

import gzip
import itertools
import json

import pytest

from gtebench.data.errors import DataError
from gtebench.data.files import check_unique, find_file, iter_jsonl, read_string_map, shared_data_root


def test_iter_jsonl_reads_gzip_skips_blank_lines_and_names_bad_lines(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write('{"id": 1}\n\n{"id": 2}\n[1]\n')
    with pytest.raises(DataError, match=r"x.jsonl.gz, line 4: expected a JSON object, got list"):
        list(iter_jsonl(path))
    assert [r["id"] for r in itertools.islice(iter_jsonl(path, required=("id",)), 2)] == [1, 2]  # blank skipped
    plain = tmp_path / "y.jsonl"
    plain.write_text('{"id": 1}\n{"other": 2}\n')
    with pytest.raises(DataError, match=r"y.jsonl, line 2: missing required field\(s\) \['id'\]"):
        list(iter_jsonl(plain, required=("id",)))


def test_find_file_prefers_the_first_suffix_and_explains_what_it_looked_for(tmp_path):
    (tmp_path / "items.csv.gz").write_bytes(b"")
    assert find_file(tmp_path, "items", (".jsonl", ".csv"), "how").name == "items.csv.gz"
    (tmp_path / "items.jsonl").write_text("")
    assert find_file(tmp_path, "items", (".jsonl", ".csv"), "how").name == "items.jsonl"
    with pytest.raises(DataError, match=r"looked for \['queries.csv', 'queries.csv.gz'\]. Get it there"):
        find_file(tmp_path, "queries", (".csv",), "Get it there")


def test_shared_data_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(tmp_path))
    assert shared_data_root() == tmp_path
    monkeypatch.delenv("GTEBENCH_SHARED_DATA")
    assert shared_data_root().parts[-2:] == ("shared", "data")


def test_check_unique_lists_duplicates(tmp_path):
    with pytest.raises(DataError, match=r"2 duplicate id\(s\), e.g. \['a', 'b'\]"):
        check_unique(["a", "b", "a", "b", "c"], "id", tmp_path / "f.csv")


STRING_MAP = {"B01": "Office Products", 'B"2': "Home and Kitchen", "B03": "Caf\u00e9 \\ Bar", "B04": ""}


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("chunk_chars", [1, 3, 7, 1 << 22])  # members cut at every place by the chunk ends
def test_read_string_map_streams_only_the_wanted_keys(tmp_path, indent, chunk_chars):
    path = tmp_path / "map.json.gz"
    with gzip.open(path, "wt") as handle:
        json.dump(STRING_MAP, handle, indent=indent)
    wanted = {"B01", 'B"2', "B03", "B04", "absent"}
    assert read_string_map(path, wanted, chunk_chars=chunk_chars) == STRING_MAP
    assert read_string_map(path, {"B03"}, chunk_chars=chunk_chars) == {"B03": "Caf\u00e9 \\ Bar"}
    (tmp_path / "empty.json").write_text(" { } ")
    assert read_string_map(tmp_path / "empty.json", wanted) == {}


@pytest.mark.parametrize(("text", "message"), [
    ("[1]", r"bad.json: expected a JSON object"),
    ('{"B01": 1}', r"bad.json: not a flat JSON object of strings near '\"B01\": 1}'"),
    ('{"B01": {"a": "b"}}', r"not a flat JSON object of strings"),
    ('{"B01": "x", ', r"bad.json: the JSON object ends without its closing '}'"),
])
def test_read_string_map_names_the_file_of_anything_but_a_flat_string_object(tmp_path, text, message):
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(DataError, match=message):
        read_string_map(tmp_path / "bad.json", {"B01"}, chunk_chars=4)
