"""The search interface: the real ESCI sample (packaged), custom folders, domains and the dataset invariants."""

import pytest

from gtebench.data import DataError
from gtebench.data.search import get_search_dataset, prepare_search


def test_esci_sample_needs_nothing_beside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(tmp_path))  # an empty shared-data folder: the packaged copy
    monkeypatch.delenv("GTEBENCH_ESCI_SAMPLE_DIR", raising=False)
    ds = prepare_search("esci-sample200")
    assert len(ds.items) == 200 and len(ds.queries) == 138  # the 138 Exact rows of the sample
    assert len(prepare_search("esci-sample200-graded").queries) == 188  # every row but the 12 Irrelevant
    assert list(ds.sources) == ["esci_sample200.csv.gz"]


def test_the_packaged_esci_sample_is_the_shared_datas_file(shared_data, monkeypatch):
    monkeypatch.delenv("GTEBENCH_ESCI_SAMPLE_DIR", raising=False)
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(shared_data))
    from_shared = prepare_search("esci-sample200").sources
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(shared_data / "absent"))
    assert prepare_search("esci-sample200").sources == from_shared  # same name and sha256: same cache keys


def test_an_esci_sample_folder_without_the_file_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_ESCI_SAMPLE_DIR", str(tmp_path))
    with pytest.raises(DataError, match="GTEBENCH_ESCI_SAMPLE_DIR"):
        prepare_search("esci-sample200")


def test_custom_search_folder(search_folder):
    folder = search_folder("item_id,title,category\na,Lamp,Home\nb,Mug,Kitchen\n", "q1,light\nq2,cup\nq3,nothing\n",
                           "q1,a,1\nq2,b,0.1\nq3,zz,1\n")
    ds = prepare_search(f"custom:{folder}")
    assert ds.queries.to_dict() == {"q1": "light", "q2": "cup"}
    assert ds.report == {"judgments_without_item_metadata": 1, "queries_without_relevant_item": 1}
    assert ds.query_domain.to_dict() == {"q1": "Home", "q2": "Kitchen"}
    (folder / "qrels.csv").write_text("qid,item_id,relevance\nq9,a,1\n")
    with pytest.raises(DataError, match=r"qid\(s\) not in queries.csv"):
        prepare_search(f"custom:{folder}")


def test_unknown_search_dataset_lists_the_known_ones():
    with pytest.raises(DataError, match=r"unknown search dataset 'esc'; known: \[.*'esci'.*Did you mean"):
        get_search_dataset("esc")


def test_unknown_domain_lists_the_domains(search_folder):
    folder = search_folder("item_id,title,category\na,Lamp,Home\n", "q1,light\n", "q1,a,1\n")
    with pytest.raises(DataError, match=r"no queries in domain 'Office'; domains: \['Home'\]"):
        prepare_search(f"custom:{folder}").for_domain("Office")
