"""The registries as tables: every model and dataset with its licence, and the `gtebench list` command."""

from gtebench.__main__ import main
from gtebench.catalogue import dataset_table, encoder_table
from gtebench.data.registry import LOADERS
from gtebench.data.search import SEARCH_LOADERS
from gtebench.data.types import DATA_LICENCES
from gtebench.encoders.registry import ENCODERS, get_encoder


def test_every_registered_model_and_data_source_states_its_licence():
    models = encoder_table()
    assert list(models.key) == list(ENCODERS) and not models.licence.str.startswith("unknown").any()
    assert models.set_index("key").loc["nv-embed-v2", "licence"].startswith("CC-BY-NC-4.0")  # non-commercial
    assert set(LOADERS) | set(SEARCH_LOADERS) <= set(DATA_LICENCES)  # a new loader must say its source's terms
    datasets = dataset_table()
    assert not datasets.licence.eq("unknown").any() and {"sr", "search"} == set(datasets.task)
    assert datasets.set_index("key").loc["esci-sample200", "licence"].startswith("Apache-2.0")


def test_adhoc_and_specialised_models_say_where_their_licence_comes_from():
    assert get_encoder("hf:BAAI/bge-small-en-v1.5").licence == "unknown (see the model card)"
    assert get_encoder("specialised:minilm-l6@next-item").licence == "Apache-2.0 (the base model's; fine-tuned here)"


def test_the_list_command_prints_the_tables(capsys):
    assert main(["list", "models"]) == 0
    out = capsys.readouterr().out
    assert "| nv-embed-v2 " in out and "CC-BY-NC-4.0" in out
    assert main(["list", "datasets"]) == 0
    assert "| homedepot " in capsys.readouterr().out
