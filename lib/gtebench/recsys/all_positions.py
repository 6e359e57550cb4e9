"""All-positions training: every training target of a user's sequence from one causal pass, not one row each.

RecBole, as the paper's code uses it, trains on one row per target (the target's history, padded to
MAX_ITEM_LIST_LENGTH) and takes the loss at the row's last item only. For a causal backbone (SASRec and UniSRec:
causal attention over absolute positions counted from the oldest item; GRU4Rec: a forward GRU from a zero state)
the output at position j of one pass over items s_0..s_n is exactly the output of the row whose history is
s_0..s_j, so the loss at every position of the pass is the loss of all those rows together, for the work of one.

Windows. A prefix row holds the last L = max_seq_len items before its target, at positions 0..L-1. Hence:
- the head window of a user, S[0:m] with m = min(L, index of the last target), gives every target at index t <= L
  its row's history S[0:t] (the output at position t-1);
- a target at t > L has the history S[t-L:t] at positions 0..L-1, which no other target has at those positions,
  so it gets a window of its own, S[t-L:t], with the loss at its last position only: exactly its prefix row.
Every target's history is the prefix row's (tests/recsys/test_all_positions.py checks logits and pairs); the work
saved is the head (up to L targets for one pass) and the padding: batches hold windows of similar length, padded
to their own longest instead of to L. With `every_position=False` each target gets its own window (the prefix
rows, only bucketed), which isolates the padding saving in the benchmark.

A batch holds up to train_batch_size *targets* (a window of more targets forms a batch of its own), so the number
of optimiser steps per epoch and the targets averaged per step match prefix training at the same batch size.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np
import torch
from recbole.data.interaction import Interaction
from recbole.model.sequential_recommender import GRU4Rec, SASRec
from recbole.trainer import Trainer
from torch.nn import functional as F

LABELS = "all_positions_labels"  # per position: the target item there, 0 where no loss is taken
POOL_BATCHES = 64  # windows are sorted by length within random pools of this many batches: little padding,
# and batches still mix users from the whole data instead of always pairing the same lengths in the same order


class AllPositionsError(ValueError):
    pass


def user_sequences(users: np.ndarray, histories: np.ndarray, lengths: np.ndarray, targets: np.ndarray,
                   max_len: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each user's known sequence S and the indexes in S of its training targets, from RecBole's prefix rows.

    S is the user's first row's history followed by the targets of the user's rows in data order; each row must
    then hold the last `max_len` items of S before its target (as gtebench exports them), else AllPositionsError.

    Args:
        users: the rows' user ids; histories: the rows' item lists (rows x width, zero padded on the right).
        lengths: the rows' history lengths; targets: the rows' target items.
        max_len: the history kept per row (MAX_ITEM_LIST_LENGTH).
    """
    order = np.argsort(users, kind="stable")  # rows of one user together, in data order
    starts = np.flatnonzero(np.r_[True, users[order][1:] != users[order][:-1]])
    out = []
    width = histories.shape[1]
    for block in np.split(order, starts[1:]):
        first = block[0]
        sequence = np.concatenate([histories[first, : lengths[first]], targets[block]])
        index = lengths[first] + np.arange(len(block))
        expected_len = np.minimum(index, max_len)
        columns = np.arange(width)[None, :]
        gather = np.clip(index[:, None] - expected_len[:, None] + columns, 0, len(sequence) - 1)
        expected = np.where(columns < expected_len[:, None], sequence[gather], 0)
        if (lengths[block] != expected_len).any() or (expected != histories[block]).any():
            raise AllPositionsError(
                f"the training rows of user {users[first]} are not the prefixes of one sequence in order (each the "
                f"last {max_len} items before its target); all-positions training needs the rows as gtebench "
                "exports them; use training_targets='prefix' for other training data")
        out.append((sequence, index))
    return out


class Windows:
    """The training windows of an epoch as padded arrays: inputs and labels (windows x max_len), lengths, targets.

    Args:
        sequences: per user, (S, indexes of the training targets in S), from user_sequences.
        max_len: the history kept per target.
        every_position: the head window covers a user's first max_len targets; False = one window per target.
    """

    def __init__(self, sequences: list[tuple[np.ndarray, np.ndarray]], max_len: int, every_position: bool = True):
        inputs, labels = [], []
        for sequence, index in sequences:
            head = index[index <= max_len] if every_position else index[:0]
            if len(head):
                end = int(head.max())
                row = np.zeros(end, dtype=np.int64)
                row[head - 1] = sequence[head]
                inputs.append(sequence[:end])
                labels.append(row)
            for t in index[len(head):]:
                start = max(0, int(t) - max_len)
                row = np.zeros(int(t) - start, dtype=np.int64)
                row[-1] = sequence[t]
                inputs.append(sequence[start:t])
                labels.append(row)
        self.lengths = np.array([len(x) for x in inputs], dtype=np.int64)
        width = int(self.lengths.max()) if len(inputs) else 1
        self.inputs = np.zeros((len(inputs), width), dtype=np.int64)
        self.labels = np.zeros((len(inputs), width), dtype=np.int64)
        for row, (x, y) in enumerate(zip(inputs, labels)):
            self.inputs[row, : len(x)] = x
            self.labels[row, : len(y)] = y
        self.targets = (self.labels > 0).sum(axis=1)

    def __len__(self) -> int:
        return len(self.lengths)


def windows_from_dataset(dataset, config, every_position: bool = True) -> Windows:
    """The Windows of RecBole's training dataset (its prefix rows: item list, length, target per row)."""
    feat = dataset.inter_feat
    item_seq = config["ITEM_ID_FIELD"] + config["LIST_SUFFIX"]
    sequences = user_sequences(feat[config["USER_ID_FIELD"]].numpy(), feat[item_seq].numpy(),
                               feat[config["ITEM_LIST_LENGTH_FIELD"]].numpy(), feat[config["ITEM_ID_FIELD"]].numpy(),
                               config["MAX_ITEM_LIST_LENGTH"])
    return Windows(sequences, config["MAX_ITEM_LIST_LENGTH"], every_position)


class AllPositionsLoader:
    """Batches of windows for RecBole's Trainer, in the place of its TrainDataLoader.

    Each batch is an Interaction with the item sequences (padded to the batch's longest window), their lengths and
    LABELS. The order is drawn from `generator` (seeded by the run's seed) when iteration starts, as RecBole's
    loader does, so ResumableTraining's saved generator state resumes the same epochs. `dataset` is RecBole's.
    """

    def __init__(self, config, dataset, windows: Windows, shuffle: bool = True):
        self.config, self.dataset, self.windows, self.shuffle = config, dataset, windows, shuffle
        self.batch_targets = int(config["train_batch_size"])
        self.item_seq_field = config["ITEM_ID_FIELD"] + config["LIST_SUFFIX"]
        self.length_field = config["ITEM_LIST_LENGTH_FIELD"]
        self.generator = torch.Generator()
        self.generator.manual_seed(int(config["seed"]))

    @classmethod
    def from_dataset(cls, config, dataset, every_position: bool = True) -> "AllPositionsLoader":
        return cls(config, dataset, windows_from_dataset(dataset, config, every_position))

    def batches(self) -> list[np.ndarray]:
        """One epoch's batches as arrays of window indexes (draws from the generator when shuffling)."""
        w = self.windows
        n = len(w)
        order = torch.randperm(n, generator=self.generator).numpy() if self.shuffle else np.arange(n)
        pool = (np.cumsum(w.targets[order]) - 1) // (POOL_BATCHES * self.batch_targets)
        order = order[np.lexsort((w.lengths[order], pool))]  # by pool, then by length (stable: random ties)
        batches, start, count = [], 0, 0
        for position, window in enumerate(order):
            if count and count + w.targets[window] > self.batch_targets:
                batches.append(order[start:position])
                start, count = position, 0
            count += w.targets[window]
        if start < n:
            batches.append(order[start:])
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=self.generator).tolist()]
        return batches

    def collate(self, index: np.ndarray) -> Interaction:
        width = int(self.windows.lengths[index].max())
        return Interaction({
            self.item_seq_field: torch.from_numpy(self.windows.inputs[index, :width]),
            self.length_field: torch.from_numpy(self.windows.lengths[index]),
            LABELS: torch.from_numpy(self.windows.labels[index, :width]),
        })

    def __iter__(self):
        return (self.collate(index) for index in self.batches())

    def __len__(self) -> int:
        """About the number of batches (for progress bars; counting them exactly would draw from the generator)."""
        return max(1, -(-int(self.windows.targets.sum()) // self.batch_targets))


def check_model(model) -> None:
    """Refuse a model whose outputs are not causal per position or whose loss is not cross-entropy."""
    if not isinstance(model, (SASRec, GRU4Rec)):
        raise AllPositionsError(f"all-positions training needs a causal backbone (SASRec, GRU4Rec, UniSRec and their "
                                f"text variants), got {type(model).__name__}; use training_targets='prefix'")
    if model.loss_type != "CE":
        raise AllPositionsError(f"all-positions training takes the cross-entropy over all items, got loss_type "
                                f"{model.loss_type!r}; set loss_type 'CE' or use training_targets='prefix'")


@contextlib.contextmanager
def every_position(model):
    """Inside the block model.forward returns every position's output (batch x length x width): SASRec's and
    GRU4Rec's forward end by gathering the last position through gather_indexes, which this turns into the
    identity for this model only."""
    model.gather_indexes = lambda output, gather_index: output
    try:
        yield
    finally:
        del model.gather_indexes


def position_outputs(model, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
    """The backbone's output at every position of the padded sequences (batch x length x width)."""
    with every_position(model):
        return model.forward(item_seq, item_seq_len)


def scores(model, outputs: torch.Tensor) -> torch.Tensor:
    """Logits over all items of sequence outputs, as the model's calculate_loss computes them."""
    from .networks import UniSRec

    items = model.item_embedding.weight
    if isinstance(model, UniSRec):  # cosine / temperature (networks.UniSRec.calculate_loss)
        return F.normalize(outputs, dim=-1) @ F.normalize(items, dim=-1).T / model.temperature
    return outputs @ items.T


def all_positions_loss(model, interaction) -> torch.Tensor:
    """Mean cross-entropy over all items at every labelled position of a batch of windows."""
    table = getattr(model.item_embedding, "computed_once", contextlib.nullcontext)
    with table():  # a text model adapts its item table once for the inputs and the scores (networks.py)
        outputs = position_outputs(model, interaction[model.ITEM_SEQ], interaction[model.ITEM_SEQ_LEN])
        labels = interaction[LABELS]
        keep = labels > 0
        return model.loss_fct(scores(model, outputs[keep]), labels[keep])


class AllPositionsTrainer(Trainer):
    """RecBole's Trainer, training on an AllPositionsLoader with all_positions_loss; evaluation is RecBole's."""

    def __init__(self, config, model):
        check_model(model)
        super().__init__(config, model)

    def _train_epoch(self, train_data, epoch_idx, loss_func=None, show_progress=False):
        if not isinstance(train_data, AllPositionsLoader):
            raise TypeError(f"AllPositionsTrainer trains on an AllPositionsLoader, got {type(train_data).__name__}")
        loss_func = loss_func or functools.partial(all_positions_loss, self.model)
        return super()._train_epoch(train_data, epoch_idx, loss_func=loss_func, show_progress=show_progress)
