"""Text item tables: alignment to RecBole's internal ids, frozen text, trainable adaptor; the BERT4Rec and UniSRec
networks."""

import math

import numpy as np
import pytest
import torch

from gtebench.profiles import get_training_profile
from gtebench.recsys.networks import TextItemEmbedding, aligned_item_table, mlp_adaptor
from gtebench.recsys.run import RunSpec, build_recbole_data, train_and_evaluate


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
    module = TextItemEmbedding(table, mlp_adaptor([12, 6, 4], dropout=0.2))
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
    module = TextItemEmbedding(torch.randn(10, 12), mlp_adaptor([12, 6, 4], dropout=0.5), per_position=per_position)
    ids = torch.tensor([[3, 3, 3, 3]])
    module.train()
    out = module(ids)[0]
    same_rows = all(torch.equal(out[0], out[i]) for i in range(1, 4))
    assert same_rows is (not per_position)  # shared: one mask per item; per position: independent masks
    module.eval()
    assert torch.allclose(module(ids)[0, 0], module.weight[3], atol=1e-6)


def test_extra_rows_follow_the_items_and_skip_the_adaptor():
    torch.manual_seed(0)
    mask = torch.randn(1, 4)
    for per_position in (True, False):
        module = TextItemEmbedding(torch.randn(10, 12), mlp_adaptor([12, 6, 4], dropout=0.5), per_position=per_position,
                                   extra_rows=mask)
        assert module.num_embeddings == 11 and module.weight.shape == (11, 4)
        module.train()
        out = module(torch.tensor([[10, 3, 10]]))[0]
        assert torch.equal(out[0], mask[0]) and torch.equal(out[2], mask[0])  # the row, untouched by dropout
        module.eval()
        assert torch.allclose(module(torch.tensor([[3]]))[0, 0], module.adaptor(module.text[3]), atol=1e-6)


def test_moe_adaptor_gates_start_uniform_and_add_noise_only_in_training():
    from gtebench.recsys.networks import MoEAdaptor

    torch.manual_seed(0)
    adaptor = MoEAdaptor(8, 12, 5, dropout=0.2)
    x = torch.randn(7, 12)
    adaptor.eval()
    assert torch.allclose(adaptor.gates(x), torch.full((7, 8), 1 / 8))  # zero-initialised gate
    expected = torch.stack([e.lin(x - e.bias) for e in adaptor.experts], dim=-2).mean(dim=-2)
    assert torch.allclose(adaptor(x), expected, atol=1e-6)  # a gated sum of whitened projections
    adaptor.train()
    assert not torch.allclose(adaptor.gates(x), torch.full((7, 8), 1 / 8))
    assert not MoEAdaptor(8, 12, 5, dropout=0.0, noise=False).train().gates(x).std() > 0
    with pytest.raises(ValueError, match="n_exps"):
        MoEAdaptor(0, 12, 5, dropout=0.2)


def test_adaptor_is_initialised_as_the_authors_normal_002_and_zero_bias():
    torch.manual_seed(0)
    adaptor = mlp_adaptor([4096, 300, 64], dropout=0.2)  # NV-Embed-v2's width, the paper's [plm_dim, 300, 64]
    linears = [m for m in adaptor if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [(300, 4096), (64, 300)]
    for linear in linears:
        # PyTorch's default (Kaiming uniform) would give std 1/sqrt(3 * fan_in): 0.009 and 0.033 here
        assert linear.weight.std().item() == pytest.approx(0.02, rel=0.02)
        assert abs(linear.weight.mean().item()) < 1e-3
        assert torch.count_nonzero(linear.bias) == 0


# The text-based networks (class, backbone) built on a real slice with a table whose first column is the raw id.
TEXT_NETWORKS = [("SASRecText", "sasrec"), ("GRU4RecText", "gru4rec"), ("BERT4RecText", "bert4rec"),
                 ("UniSRec", "unisrec")]


def build_text_model(class_name: str, backbone: str, max_users: int = 60, per_position: bool | None = None):
    from gtebench.recsys import networks

    profile = get_training_profile("default").with_overrides(max_users=max_users)
    spec = RunSpec("ml-100k", backbone, "text", "tfidf-svd", 1, profile)
    config, dataset, train_data, *_ = build_recbole_data(spec)
    if per_position is not None:
        config["adaptor_per_position"] = per_position
    torch.manual_seed(0)
    table = aligned_item_table(dataset, *text_vectors())
    return getattr(networks, class_name)(config, train_data.dataset, table), dataset, train_data


def text_vectors() -> tuple[list[str], np.ndarray]:
    """The raw ids of ml-100k and a vector per item whose first column is its raw id (the rest random, seeded)."""
    raw_ids = [str(i) for i in range(1, 1683)]
    vectors = np.concatenate([np.arange(1, 1683, dtype=np.float32)[:, None], np.random.default_rng(0).normal(
        size=(1682, 15)).astype(np.float32)], axis=1)
    return raw_ids, vectors


@pytest.mark.parametrize("class_name,backbone", TEXT_NETWORKS)
def test_every_text_model_keeps_item_rows_aligned(class_name, backbone):
    model, dataset, _ = build_text_model(class_name, backbone)
    embedding = model.item_embedding
    tokens = list(dataset.field2id_token["item_id"])
    assert embedding.text.shape[0] == model.n_items == len(tokens)
    assert torch.all(embedding.text[0] == 0)
    assert all(embedding.text[i, 0].item() == float(tokens[i]) for i in range(1, model.n_items))  # a shift fails here
    model.eval()
    weight = embedding.weight.detach()
    assert torch.allclose(weight[: model.n_items], embedding.adaptor(embedding.text).detach(), atol=1e-6)
    ids = torch.tensor([[1, 5, model.n_items - 1]])
    assert torch.allclose(embedding(ids)[0], weight[ids[0]], atol=1e-6)
    if class_name == "BERT4RecText":  # [MASK] = n_items: the one row after the items, never scored
        assert model.mask_token == model.n_items and weight.shape[0] == model.n_items + 1
        assert torch.equal(embedding(torch.tensor([[model.mask_token]]))[0, 0], embedding.extra[0])
    else:
        assert weight.shape[0] == model.n_items


@pytest.mark.parametrize("class_name,backbone", TEXT_NETWORKS[:3])
def test_text_models_init_the_adaptor_as_the_authors_and_keep_the_text_table(class_name, backbone):
    # RecBole's own apply(self._init_weights) runs in super().__init__, before the adaptor exists
    model, dataset, _ = build_text_model(class_name, backbone)
    embedding = model.item_embedding
    assert torch.equal(embedding.text, aligned_item_table(dataset, *text_vectors()))  # the frozen table, untouched
    linears = [m for m in embedding.adaptor.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 2
    for linear in linears:
        assert linear.weight.std().item() == pytest.approx(0.02, rel=0.05)
        assert torch.count_nonzero(linear.bias) == 0


@pytest.mark.parametrize("per_position", [True, False])
@pytest.mark.parametrize("class_name,backbone", [("BERT4RecText", "bert4rec"), ("UniSRec", "unisrec")])
def test_one_step_trains_the_adaptor_and_mask_and_leaves_the_text_frozen(class_name, backbone, per_position):
    model, _, train_data = build_text_model(class_name, backbone, per_position=per_position)
    assert "item_embedding.text" not in dict(model.named_parameters())  # a buffer: no gradient, no optimiser state
    text = model.item_embedding.text.clone()
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    model.calculate_loss(next(iter(train_data))).backward()
    optimizer.step()
    assert torch.equal(model.item_embedding.text, text) and model.item_embedding.text.grad is None
    changed = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    adaptor = {name for name in before if name.startswith("item_embedding.")}
    if class_name == "UniSRec":
        assert len([n for n in adaptor if n.startswith("item_embedding.adaptor.experts.")]) == 8 * 2  # W and b each
        assert {"item_embedding.adaptor.w_gate", "item_embedding.adaptor.w_noise"} <= adaptor
    else:
        assert "item_embedding.extra" in adaptor  # the [MASK] row
    assert adaptor <= changed, sorted(adaptor - changed)
    assert "item_embedding.weight" not in before  # the ID table is gone


@pytest.mark.parametrize("class_name,backbone", TEXT_NETWORKS)
def test_a_step_adapts_the_table_once_and_shares_its_dropout_mask(class_name, backbone):
    """Input lookups and output scores of one call come from one adapted table (one mask per item and step)."""
    model, _, train_data = build_text_model(class_name, backbone, per_position=False)
    embedding = model.item_embedding
    calls = []
    embedding.adaptor.register_forward_hook(lambda module, args, out: calls.append(out))
    model.train()
    batch = next(iter(train_data))
    model.calculate_loss(batch)
    assert len(calls) == 1  # without the shared block the input and the output side each ran the adaptor
    with embedding.computed_once():
        table = embedding.weight
        ids = torch.tensor([[1, 2, 3]])
        assert torch.equal(embedding(ids)[0], table[ids[0]])  # the lookup gathers the same dropped-out rows
    assert not torch.equal(embedding.weight, table)  # outside the block: a fresh mask each time
    model.eval()
    calls.clear()
    model.full_sort_predict(next(iter(train_data)))
    assert len(calls) == 1


@pytest.fixture
def one_thread():
    """Two torch threads on a 2-core machine shared with other work swing 5x in speed (5-35 s for one slice run,
    measured); one thread is steady (7 s) and is what run_many's workers use."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.slow
@pytest.mark.parametrize("backbone,variant,encoder", [("bert4rec", "id", None), ("bert4rec", "text", "minilm-l6"),
                                                      ("unisrec", "text", "minilm-l6")])
def test_new_backbones_train_on_a_real_slice_beat_random_and_repeat_with_the_seed(
        backbone, variant, encoder, one_thread):
    profile = get_training_profile("default").with_overrides(
        max_users=300, max_epochs=3, stopping_step=2, parallel_runs=1)
    spec = RunSpec("ml-100k", backbone, variant, encoder, 7, profile)
    first = train_and_evaluate(spec, reuse=False)
    random_ndcg_at_10 = sum(1 / math.log2(rank + 1) for rank in range(1, 11)) / 1682  # one relevant item of 1682
    assert first["test"]["ndcg@10"] > 4 * random_ndcg_at_10, first["test"]
    assert 1 <= first["epochs"] <= 3
    again = train_and_evaluate(spec, reuse=False)
    assert again["test"] == first["test"] and again["valid_history"] == first["valid_history"]
