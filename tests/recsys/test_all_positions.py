"""All-positions training is prefix-row training for less work: the same (history, target) pairs per epoch, the
same logits and loss for every target (eval mode), on RecBole's real rows with users longer than max_seq_len."""

import contextlib
from collections import Counter

import numpy as np
import pytest
import torch

from gtebench.profiles import ProfileError, get_training_profile
from gtebench.recsys.all_positions import (
    LABELS,
    AllPositionsError,
    AllPositionsLoader,
    AllPositionsTrainer,
    Windows,
    all_positions_loss,
    position_outputs,
    scores,
    user_sequences,
)
from gtebench.recsys.run import RunSpec, build_recbole_data
from gtebench.recsys.run.build import _network_class

MAX_LEN = 8  # ml-100k users have 20+ ratings: most are longer than this, so the tail windows are exercised


def prefix_rows(sequences: dict, max_len: int, keep_last: int | None = None):
    """The rows gtebench exports: per user, every target with its last max_len items (or the last keep_last)."""
    rows = []
    for user, items in sequences.items():
        user_rows = [(user, items[max(0, p - max_len):p], items[p]) for p in range(1, len(items))]
        rows += user_rows[-keep_last:] if keep_last else user_rows
    users = np.array([r[0] for r in rows])
    histories = np.zeros((len(rows), max_len), dtype=np.int64)
    for i, (_, history, _) in enumerate(rows):
        histories[i, :len(history)] = history
    lengths = np.array([len(r[1]) for r in rows])
    return users, histories, lengths, np.array([r[2] for r in rows]), rows


def window_pairs(inputs: np.ndarray, labels: np.ndarray) -> Counter:
    """(history, target) of every labelled position: the history is the window up to and including it."""
    pairs = Counter()
    for x, y in zip(inputs, labels):
        for j in np.flatnonzero(y):
            pairs[(tuple(int(i) for i in x[: j + 1]), int(y[j]))] += 1
    return pairs


@pytest.mark.parametrize("keep_last", [None, 3])  # every target, and each user's 3 most recent (the default's cut)
@pytest.mark.parametrize("every_position", [True, False])
def test_windows_train_exactly_the_prefix_rows_pairs(keep_last, every_position):
    rng = np.random.default_rng(0)
    sequences = {u: list(rng.integers(1, 30, size=n)) for u, n in enumerate([2, 3, 4, 5, 9, 13], start=1)}
    users, histories, lengths, targets, rows = prefix_rows(sequences, 4, keep_last)
    windows = Windows(user_sequences(users, histories, lengths, targets, 4), 4, every_position)
    expected = Counter((tuple(int(i) for i in h), int(t)) for _, h, t in rows)
    assert window_pairs(windows.inputs, windows.labels) == expected
    assert windows.targets.sum() == len(rows)
    if every_position and keep_last is None:  # a head window per user, then one window per target beyond 4
        assert len(windows) == len(sequences) + sum(max(0, len(s) - 1 - 4) for s in sequences.values())
    if not every_position:
        assert len(windows) == len(rows)


def test_rows_that_are_not_one_sequences_prefixes_are_refused():
    users, histories, lengths, targets, _ = prefix_rows({1: [5, 6, 7, 8, 9]}, 4)
    with pytest.raises(AllPositionsError, match="user 1 are not the prefixes"):
        user_sequences(users, histories, lengths, targets[::-1].copy(), 4)
    with pytest.raises(AllPositionsError, match="training_targets='prefix'"):
        user_sequences(users, histories, lengths, targets, 3)  # rows keep 4 items, not 3


@pytest.fixture(scope="module")
def recbole_data():
    profile = get_training_profile("default").with_overrides(max_users=40, max_seq_len=MAX_LEN,
                                                             train_prefixes_per_user=None)
    config, dataset, train_data, _, _ = build_recbole_data(RunSpec("ml-100k", "sasrec", "id", None, 1, profile))
    return profile, config, train_data


def test_an_epoch_of_batches_holds_every_training_row_once(recbole_data):
    _, config, train_data = recbole_data
    feat = train_data.dataset.inter_feat
    expected = Counter((tuple(int(i) for i in h[:n]), int(t))
                       for h, n, t in zip(feat["item_id_list"], feat["item_length"], feat["item_id"]))
    assert max(feat["item_length"]) == MAX_LEN and len(expected) > 40 * MAX_LEN  # users longer than MAX_LEN
    loader = AllPositionsLoader.from_dataset(config, train_data.dataset)
    state = loader.generator.get_state()
    pairs, widths, batch_targets = Counter(), [], []
    for batch in loader:
        seq, labels, lengths = batch["item_id_list"].numpy(), batch[LABELS].numpy(), batch["item_length"].numpy()
        pairs += window_pairs(seq, labels)
        widths.append((seq.shape[1], lengths.max()))
        batch_targets.append(int((labels > 0).sum()))
        assert (labels[np.arange(seq.shape[1])[None, :] >= lengths[:, None]] == 0).all()  # no loss on padding
    assert pairs == expected
    assert all(width == longest for width, longest in widths)  # padded to the batch's own longest window
    assert max(batch_targets) <= config["train_batch_size"] and sum(batch_targets) == len(feat)
    loader.generator.set_state(state)  # the generator's state fixes the epoch's order (what resuming restores)
    first = [b.tolist() for b in loader.batches()]
    loader.generator.set_state(state)
    assert [b.tolist() for b in loader.batches()] == first
    assert [b.tolist() for b in loader.batches()] != first  # the next epoch is shuffled anew


MODELS = [("sasrec", "id"), ("sasrec", "text"), ("gru4rec", "id"), ("gru4rec", "text"), ("unisrec", "text")]


def build_model(profile, backbone, variant):
    """The backbone on the recbole_data rows, eval mode (no dropout); text variants over a random text table."""
    spec = RunSpec("ml-100k", backbone, variant, "tfidf-svd" if variant == "text" else None, 1, profile)
    config, dataset, train_data, _, _ = build_recbole_data(spec)
    torch.manual_seed(0)
    if variant == "text":
        table = torch.randn(dataset.item_num, 16)
        table[0] = 0
        model = _network_class(spec)(config, train_data.dataset, table)
    else:
        model = _network_class(spec)(config, train_data.dataset)
    return config, train_data, model.eval()


@pytest.mark.parametrize("backbone,variant", MODELS, ids=[f"{b}-{v}" for b, v in MODELS])
def test_one_pass_gives_every_prefix_rows_logits_and_loss(recbole_data, backbone, variant):
    config, train_data, model = build_model(recbole_data[0], backbone, variant)
    feat = train_data.dataset.inter_feat
    loader = AllPositionsLoader.from_dataset(config, train_data.dataset)
    table_once = getattr(model.item_embedding, "computed_once", contextlib.nullcontext)
    with torch.no_grad():
        with table_once():
            row_logits = scores(model, model.forward(feat["item_id_list"], feat["item_length"]))
        by_history = {tuple(int(i) for i in h[:n]): row for h, n, row in
                      zip(feat["item_id_list"], feat["item_length"], row_logits)}
        got, expected, loss_sum, n_windows, tail_windows = [], [], 0.0, 0, 0
        for batch in loader:
            seq, labels = batch["item_id_list"], batch[LABELS]
            with table_once():
                logits = scores(model, position_outputs(model, seq, batch["item_length"]))  # batch x length x items
            for b, j in zip(*torch.nonzero(labels, as_tuple=True)):
                got.append(logits[b, j])
                expected.append(by_history[tuple(int(i) for i in seq[b, : j + 1])])
                tail_windows += int(j) == MAX_LEN - 1 and int((labels[b] > 0).sum()) == 1
            loss_sum += float(all_positions_loss(model, batch)) * int((labels > 0).sum())
            n_windows += len(seq)
        prefix_loss = float(model.calculate_loss(feat))
    assert len(got) == len(feat) and tail_windows > 0
    assert n_windows - tail_windows == 40  # one head window per user covers its first MAX_LEN targets
    torch.testing.assert_close(torch.stack(got), torch.stack(expected), atol=2e-5, rtol=1e-5)
    assert loss_sum / len(feat) == pytest.approx(prefix_loss, rel=1e-5)


def test_bert4rec_and_non_ce_losses_are_refused(recbole_data):
    from recbole.model.sequential_recommender import BERT4Rec

    config, _, model = build_model(recbole_data[0], "sasrec", "id")
    model.loss_type = "BPR"
    with pytest.raises(AllPositionsError, match="loss_type 'BPR'"):
        AllPositionsTrainer(config, model)
    bert = object.__new__(BERT4Rec)
    with pytest.raises(AllPositionsError, match="causal backbone"):
        AllPositionsTrainer(config, bert)


def test_the_setting_names_the_run_and_applies_to_causal_backbones_only():
    prefix = get_training_profile("default")
    every = prefix.with_overrides(training_targets="all-positions")
    for backbone, variant, encoder in (("sasrec", "id", None), ("gru4rec", "text", "minilm-l6"),
                                       ("unisrec", "text", "minilm-l6")):
        spec = RunSpec("ml-100k", backbone, variant, encoder, 1, every)
        assert spec.training_targets == "all-positions"
        assert spec.run_id != RunSpec("ml-100k", backbone, variant, encoder, 1, prefix).run_id
    bert = RunSpec("ml-100k", "bert4rec", "id", None, 1, every)
    assert bert.training_targets == "prefix"  # masked training, as before: the same run, so the same id
    assert bert.run_id == RunSpec("ml-100k", "bert4rec", "id", None, 1, prefix).run_id
    with pytest.raises(ProfileError, match=r"training_targets='every'; use one of \['prefix', 'all-positions'\]"):
        prefix.with_overrides(training_targets="every")
