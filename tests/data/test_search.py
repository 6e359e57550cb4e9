"""The search interface: the real ESCI sample, custom folders, domains and the dataset invariants."""

import pytest

from gtebench.data import DataError
from gtebench.data.search import get_search_dataset, prepare_search


def test_esci_sample_from_shared_data(shared_data):
    ds = prepare_search("esci-sample200")
    assert len(ds.items) == 200 and len(ds.queries) == 138  # the 138 Exact rows of SOURCE.md
    assert len(prepare_search("esci-sample200-graded").queries) == 188  # every row but the 12 Irrelevant


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
