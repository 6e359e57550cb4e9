"""Text item tables: alignment to RecBole's internal ids, frozen text, trainable adaptor."""

import numpy as np
import pytest
import torch

from gtebench.profiles import get_training_profile
from gtebench.recsys.models import TextItemEmbedding, aligned_item_table
from gtebench.recsys.runner import RunSpec, build_recbole_data


@pytest.fixture(scope="module")
def recbole_data():
    profile = get_training_profile("default").with_overrides(max_users=60)
    return build_recbole_data(RunSpec("ml-100k", "sasrec", "id", None, 1, profile))


def test_rows_follow_recboles_internal_ids_not_raw_ids(recbole_data):
    config, dataset, *_ = recbole_data
    tokens = list(dataset.field2id_token["item_id"])
    assert tokens[1:] != sorted(tokens[1:], key=int)  # RecBole's order is first appearance, so a shift would show
    raw_ids = [str(i) for i in range(1, 1683)]
    vectors = np.array([[float(i), 1.0] for i in range(1, 1683)], dtype=np.float32)  # vector encodes its raw id
    table = aligned_item_table(dataset, raw_ids, vectors)
    assert table.shape == (dataset.item_num, 2)
    assert torch.all(table[0] == 0)  # [PAD]
    for internal in range(1, dataset.item_num):
        assert table[internal, 0].item() == float(tokens[internal])


def test_missing_vectors_are_an_error(recbole_data):
    _, dataset, *_ = recbole_data
    with pytest.raises(ValueError, match="no text embedding"):
        aligned_item_table(dataset, ["1"], np.ones((1, 2), dtype=np.float32))


def test_text_table_is_frozen_and_the_adaptor_trains():
    table = torch.randn(10, 12)
    module = TextItemEmbedding(table, hidden_size=4, adaptor_hidden=[6], dropout=0.2)
    assert [name for name, _ in module.named_buffers()] == ["text"]
    assert all(p.requires_grad for p in module.parameters())
    assert sum(p.numel() for p in module.parameters()) == 12 * 6 + 6 + 6 * 4 + 4
    module.eval()
    ids = torch.tensor([[3, 0, 7]])
    assert torch.allclose(module(ids), module.weight[ids], atol=1e-6)  # eval: lookup == row of the adapted table
    loss = module(ids).sum()
    loss.backward()
    assert module.text.grad is None


@pytest.mark.parametrize("per_position", [True, False])
def test_both_dropout_granularities_agree_in_eval_and_differ_in_training(per_position):
    torch.manual_seed(0)
    module = TextItemEmbedding(torch.randn(10, 12), hidden_size=4, adaptor_hidden=[6], dropout=0.5,
                               per_position=per_position)
    ids = torch.tensor([[3, 3, 3, 3]])
    module.train()
    out = module(ids)[0]
    same_rows = all(torch.equal(out[0], out[i]) for i in range(1, 4))
    assert same_rows is (not per_position)  # shared: one mask per item; per position: independent masks
    module.eval()
    assert torch.allclose(module(ids)[0, 0], module.weight[3], atol=1e-6)
