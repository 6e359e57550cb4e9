"""Text-based sequential recommenders: RecBole backbones whose item table is frozen text embeddings + an adaptor.

As in the paper's code (SASRecText, paper.md section 2.3): the item-ID embedding is removed; each item is its
frozen text vector passed through a trainable MLP adaptor [plm_dim, 300, hidden] (Dropout-Linear-ReLU-Dropout-
Linear, dropout 0.2); scores are dot products of the sequence output with the adapted vectors of all items.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from recbole.model.abstract_recommender import SequentialRecommender
from recbole.model.sequential_recommender import GRU4Rec, SASRec
from recbole.utils import InputType


class TextItemEmbedding(nn.Module):
    """Stands where a backbone uses nn.Embedding: `module(ids)` and `module.weight` behave the same.

    The text table is a buffer: frozen, saved in checkpoints (so load_best_model restores it), never trained.
    Row 0 is the padding item (zeros). `weight` is the adapted table of all items (the output side of the CE
    loss). Lookups either pass each position through the adaptor (per_position=True: an independent dropout mask
    per position, as in the paper's code) or gather rows of `weight` (False: one mask per item and step, shared
    by the input and output sides). In eval mode both are the same function; in training per-position costs
    ~3x the dropout random numbers, which dominate a step on CPU.
    """

    def __init__(self, table: torch.Tensor, hidden_size: int, adaptor_hidden: list[int], dropout: float,
                 per_position: bool = True):
        super().__init__()
        self.per_position = per_position
        if table.ndim != 2:
            raise ValueError(f"text table must be 2-d (items x dim), got shape {tuple(table.shape)}")
        self.register_buffer("text", table.float().contiguous())
        sizes = [table.shape[1], *adaptor_hidden, hidden_size]
        layers: list[nn.Module] = []
        for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if index:
                layers.append(nn.ReLU())
            layers += [nn.Dropout(dropout), nn.Linear(n_in, n_out)]
        self.adaptor = nn.Sequential(*layers)

    @property
    def num_embeddings(self) -> int:
        return self.text.shape[0]

    @property
    def weight(self) -> torch.Tensor:
        return self.adaptor(self.text)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if self.per_position:
            return self.adaptor(F.embedding(ids, self.text))
        return F.embedding(ids, self.weight)


def aligned_item_table(dataset, ids: list[str], vectors: np.ndarray) -> torch.Tensor:
    """The (dataset.item_num x dim) table with row i = the vector of RecBole's internal item id i.

    RecBole numbers items by first appearance in the loaded files, not by raw id, so rows are looked up through
    dataset.field2id_token; row 0 ([PAD]) stays zero. Every item RecBole knows must have a vector.
    """
    tokens = dataset.field2id_token[dataset.iid_field]
    if tokens[0] != "[PAD]":
        raise ValueError(f"RecBole's item token 0 is {tokens[0]!r}, expected '[PAD]'")
    position = {item: row for row, item in enumerate(ids)}
    missing = [t for t in tokens[1:] if t not in position]
    if missing:
        raise ValueError(f"{len(missing)} RecBole item(s) have no text embedding, e.g. {list(missing[:5])}")
    table = np.zeros((len(tokens), vectors.shape[1]), dtype=np.float32)
    table[1:] = vectors[[position[t] for t in tokens[1:]]]
    return torch.from_numpy(table)


def text_item_embedding(model, config, item_table: torch.Tensor, size: int) -> TextItemEmbedding:
    """The adaptor-fronted text table that replaces `model.item_embedding` (`size`: the backbone's item width)."""
    if item_table.shape[0] != model.n_items:
        raise ValueError(f"text table has {item_table.shape[0]} rows, RecBole has {model.n_items} items (incl. padding)")
    return TextItemEmbedding(item_table, size, list(config["adaptor_hidden"]), config["adaptor_dropout"],
                             per_position=config["adaptor_per_position"])


class SASRecText(SASRec):
    """SASRec over frozen text item vectors + adaptor (the paper's SASRec-T)."""

    def __init__(self, config, dataset, item_table: torch.Tensor):
        super().__init__(config, dataset)
        self.item_embedding = text_item_embedding(self, config, item_table, self.hidden_size)


class GRU4RecText(GRU4Rec):
    """GRU4Rec over frozen text item vectors + adaptor (the paper's GRU4Rec-T); items live in embedding_size."""

    def __init__(self, config, dataset, item_table: torch.Tensor):
        super().__init__(config, dataset)
        self.item_embedding = text_item_embedding(self, config, item_table, self.embedding_size)


class Popularity(SequentialRecommender):
    """Every user gets the items ranked by how often they are a training target: the non-personalised floor.

    Evaluated by RecBole's own full-ranking evaluator like every other row, never trained. Ties are broken by
    RecBole's internal item id (a vanishing offset) so the ranking, and so the metrics, are deterministic.
    """

    input_type = InputType.POINTWISE  # RecBole's Config asks every model for one; nothing is trained

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        counts = torch.bincount(dataset.inter_feat[self.ITEM_ID], minlength=self.n_items).double()
        tie_break = torch.arange(self.n_items, dtype=torch.float64) / (self.n_items * 10.0)
        self.register_buffer("scores", (counts - tie_break).float())
        self.frozen = nn.Parameter(torch.zeros(1), requires_grad=False)  # RecBole's Trainer needs a parameter

    def calculate_loss(self, interaction):
        raise NotImplementedError("Popularity has nothing to train")

    def predict(self, interaction):
        return self.scores[interaction[self.ITEM_ID]]

    def full_sort_predict(self, interaction):
        return self.scores.unsqueeze(0).repeat(len(interaction), 1)  # a copy: the evaluator masks it in place
