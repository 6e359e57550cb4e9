"""Text-based sequential recommenders: RecBole backbones whose item table is frozen text embeddings + an adaptor.

As in the paper's code (SASRecText, paper.md section 2.3): the item-ID embedding is removed; each item is its
frozen text vector passed through a trainable MLP adaptor [plm_dim, 300, hidden] (Dropout-Linear-ReLU-Dropout-
Linear, dropout 0.2; Linear weights normal(0, 0.02), biases zero, as the authors' AdaptorLayer); scores are dot
products of the sequence output with the adapted vectors of all items.

UniSRec (inductive fine-tuning, text only) swaps the MLP for a mixture of 8 parametric-whitening experts and
scores by cosine / temperature. BERT4RecText keeps BERT4Rec's [MASK] token as one trainable row after the items.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from recbole.model.abstract_recommender import SequentialRecommender
from recbole.model.sequential_recommender import BERT4Rec, GRU4Rec, SASRec
from recbole.utils import InputType
from torch import nn
from torch.nn import functional as F


class TextItemEmbedding(nn.Module):
    """Stands where a backbone uses nn.Embedding: `module(ids)` and `module.weight` behave the same.

    The text table is a buffer: frozen, saved in checkpoints (so load_best_model restores it), never trained.
    Row 0 is the padding item (zeros). `weight` is the adapted table of all items (the output side of the CE
    loss), followed by `extra_rows` when given: trainable rows with no text, looked up by the ids after the last
    item (BERT4Rec's [MASK] = n_items). Lookups either pass each position through the adaptor
    (per_position=True: an independent dropout mask per position, as in the paper's code) or gather rows of
    `weight` (False: one mask per item and step, shared by the input and output sides). In eval mode both are
    the same function; in training per-position costs ~3x the dropout random numbers, which dominate a step on
    CPU.

    Inside `computed_once()` the adapted table is computed on first use and reused by every later `weight` or
    lookup in the block: the text models wrap each loss and scoring call in it, so one step runs the adaptor over
    the table once (one dropout mask, shared by the input and output sides) instead of once per use.
    """

    def __init__(self, table: torch.Tensor, adaptor: nn.Module, per_position: bool = True,
                 extra_rows: torch.Tensor | None = None):
        super().__init__()
        if table.ndim != 2:
            raise ValueError(f"text table must be 2-d (items x dim), got shape {tuple(table.shape)}")
        self.per_position = per_position
        self.register_buffer("text", table.float().contiguous())
        self.adaptor = adaptor
        self.extra = None if extra_rows is None else nn.Parameter(extra_rows.float().clone())
        self._in_block = False  # inside computed_once()
        self._block_table: torch.Tensor | None = None  # the adapted table of the current block

    @contextlib.contextmanager
    def computed_once(self):
        if self._in_block:  # nested: the outer block owns the table
            yield
            return
        self._in_block = True
        try:
            yield
        finally:
            self._in_block, self._block_table = False, None

    @property
    def num_embeddings(self) -> int:
        return self.text.shape[0] + (0 if self.extra is None else self.extra.shape[0])

    @property
    def weight(self) -> torch.Tensor:
        if self._block_table is not None:
            return self._block_table
        items = self.adaptor(self.text)
        table = items if self.extra is None else torch.cat([items, self.extra.to(items.dtype)])
        if self._in_block:
            self._block_table = table
        return table

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if not self.per_position:
            return F.embedding(ids, self.weight)
        n_text = self.text.shape[0]
        out = self.adaptor(F.embedding(ids.clamp(max=n_text - 1), self.text))
        if self.extra is None:
            return out
        extra = F.embedding((ids - n_text).clamp(min=0), self.extra).to(out.dtype)
        return torch.where((ids >= n_text).unsqueeze(-1), extra, out)


ADAPTOR_INIT_STD = 0.02  # the authors' AdaptorLayer: a constant there, not RecBole's initializer_range


def init_adaptor_weights(module: nn.Module) -> None:
    """The authors' AdaptorLayer._init_weights (for `.apply`): Linear weights normal(0, 0.02), biases zero.

    Needed because the adaptor is built after RecBole's __init__ has run `self.apply(self._init_weights)`, so that
    init never reaches it (GRU4Rec's skips nn.Linear anyway) and it would keep PyTorch's Kaiming-uniform default.
    """
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, mean=0.0, std=ADAPTOR_INIT_STD)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def mlp_adaptor(sizes: list[int], dropout: float) -> nn.Sequential:
    """The paper code's adaptor: Dropout-Linear per layer, ReLU between layers (sizes [plm_dim, ..., width]),
    initialised as the authors' (init_adaptor_weights)."""
    layers: list[nn.Module] = []
    for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if index:
            layers.append(nn.ReLU())
        layers += [nn.Dropout(dropout), nn.Linear(n_in, n_out)]
    adaptor = nn.Sequential(*layers)
    adaptor.apply(init_adaptor_weights)
    return adaptor


class ParametricWhitening(nn.Module):
    """One UniSRec expert: W (dropout(x) - b), a learnable centring b then a bias-free projection."""

    def __init__(self, n_in: int, n_out: int, dropout: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.bias = nn.Parameter(torch.zeros(n_in))
        self.lin = nn.Linear(n_in, n_out, bias=False)
        nn.init.normal_(self.lin.weight, mean=0.0, std=0.02)  # UniSRec's PWLayer initialisation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(self.dropout(x) - self.bias)


class MoEAdaptor(nn.Module):
    """UniSRec's MoE-enhanced adaptor: a softmax-gated sum of parametric-whitening experts.

    The gate is linear in the input (no bias, zero-initialised, so experts start equally weighted). With
    `noise`, training adds Gaussian noise to the gate logits with a learned, input-dependent scale
    (softplus(x W_noise) + 0.01), as UniSRec's MoEAdaptorLayer does; evaluation uses the clean gate.
    """

    def __init__(self, n_experts: int, n_in: int, n_out: int, dropout: float, noise: bool = True):
        super().__init__()
        if n_experts < 1:
            raise ValueError(f"n_exps must be >= 1, got {n_experts}")
        self.noise = noise
        self.experts = nn.ModuleList(ParametricWhitening(n_in, n_out, dropout) for _ in range(n_experts))
        self.w_gate = nn.Parameter(torch.zeros(n_in, n_experts))
        self.w_noise = nn.Parameter(torch.zeros(n_in, n_experts))

    def gates(self, x: torch.Tensor) -> torch.Tensor:
        logits = x @ self.w_gate
        if self.noise and self.training:
            scale = F.softplus(x @ self.w_noise) + 1e-2
            logits = logits + torch.randn_like(logits) * scale
        return F.softmax(logits, dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = torch.stack([expert(x) for expert in self.experts], dim=-2)  # (..., n_experts, n_out)
        return (self.gates(x).unsqueeze(-1) * outputs).sum(dim=-2)


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


def _check_rows(model, item_table: torch.Tensor) -> None:
    if item_table.shape[0] != model.n_items:
        raise ValueError(f"text table has {item_table.shape[0]} rows, "
                         f"RecBole has {model.n_items} items (incl. padding)")


def text_item_embedding(model, config, item_table: torch.Tensor, size: int,
                        extra_rows: torch.Tensor | None = None) -> TextItemEmbedding:
    """The MLP-adaptor-fronted text table that replaces `model.item_embedding`.

    Args:
        model: the RecBole model; config: its Config (adaptor_hidden, adaptor_dropout, adaptor_per_position).
        item_table: the frozen (n_items, plm_dim) text table; size: the backbone's item width.
        extra_rows: trainable rows after the items (BERT4Rec's [MASK]), or None.
    """
    _check_rows(model, item_table)
    adaptor = mlp_adaptor([item_table.shape[1], *config["adaptor_hidden"], size], config["adaptor_dropout"])
    return TextItemEmbedding(item_table, adaptor, per_position=config["adaptor_per_position"], extra_rows=extra_rows)


class OneTablePerCall:
    """Mixin for the text models: each loss or scoring call adapts the text table once (see computed_once)."""

    def calculate_loss(self, interaction):
        with self.item_embedding.computed_once():
            return super().calculate_loss(interaction)

    def predict(self, interaction):
        with self.item_embedding.computed_once():
            return super().predict(interaction)

    def full_sort_predict(self, interaction):
        with self.item_embedding.computed_once():
            return super().full_sort_predict(interaction)


class SASRecText(OneTablePerCall, SASRec):
    """SASRec over frozen text item vectors + adaptor (the paper's SASRec-T)."""

    def __init__(self, config, dataset, item_table: torch.Tensor):
        super().__init__(config, dataset)
        self.item_embedding = text_item_embedding(self, config, item_table, self.hidden_size)


class GRU4RecText(OneTablePerCall, GRU4Rec):
    """GRU4Rec over frozen text item vectors + adaptor (the paper's GRU4Rec-T); items live in embedding_size."""

    def __init__(self, config, dataset, item_table: torch.Tensor):
        super().__init__(config, dataset)
        self.item_embedding = text_item_embedding(self, config, item_table, self.embedding_size)


class BERT4RecText(OneTablePerCall, BERT4Rec):
    """BERT4Rec over frozen text item vectors + the MLP adaptor; [MASK] is one trainable row after the items.

    RecBole's BERT4Rec table has n_items + 1 rows: 0 = padding, 1..n_items-1 = items, n_items = [MASK]; scoring
    uses rows [:n_items]. Here rows [:n_items] are the adapted text table (aligned like every text variant) and
    row n_items is a trainable vector in the adaptor's *output* space, initialised as BERT4Rec-ID's mask row
    (normal, std initializer_range). Not a trainable row of text fed through the adaptor: the mask has no text,
    and an output-space row is exactly BERT4Rec-ID's mask embedding, so the ID and text variants differ only in
    how items are represented, and the mask does not move whenever the adaptor changes for the items.
    """

    def __init__(self, config, dataset, item_table: torch.Tensor):
        super().__init__(config, dataset)
        mask = torch.empty(1, self.hidden_size).normal_(mean=0.0, std=self.initializer_range)
        self.item_embedding = text_item_embedding(self, config, item_table, self.hidden_size, extra_rows=mask)


class UniSRec(SASRec):
    """UniSRec in inductive fine-tuning (train_stage inductive_ft): text only, no item IDs, no pre-training.

    RecBole's SASRec transformer over MoE-adapted frozen text vectors (UniSRec's own model subclasses SASRec the
    same way). The sequence output and every item vector are L2-normalised; training is cross-entropy over all
    items on cosine / temperature; ranking uses the cosine (dividing by the temperature changes no ranking).
    """

    def __init__(self, config, dataset, item_table: torch.Tensor):
        super().__init__(config, dataset)
        _check_rows(self, item_table)
        if config["train_stage"] != "inductive_ft":
            raise ValueError(f"UniSRec here implements train_stage 'inductive_ft' only "
                             f"(text, no IDs, no pre-training), got {config['train_stage']!r}")
        self.temperature = config["temperature"]
        if not self.temperature > 0:
            raise ValueError(f"UniSRec temperature must be > 0, got {self.temperature!r}")
        adaptor = MoEAdaptor(config["n_exps"], item_table.shape[1], self.hidden_size, config["adaptor_dropout_prob"],
                             noise=config["adaptor_gate_noise"])
        self.item_embedding = TextItemEmbedding(item_table, adaptor, per_position=config["adaptor_per_position"])

    def _sequence_and_items(self, interaction) -> tuple[torch.Tensor, torch.Tensor]:
        with self.item_embedding.computed_once():
            seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
            return F.normalize(seq_output, dim=-1), F.normalize(self.item_embedding.weight, dim=-1)

    def calculate_loss(self, interaction):
        seq_output, items = self._sequence_and_items(interaction)
        logits = seq_output @ items.T / self.temperature
        return self.loss_fct(logits, interaction[self.POS_ITEM_ID])

    def predict(self, interaction):
        seq_output, items = self._sequence_and_items(interaction)
        return (seq_output * items[interaction[self.ITEM_ID]]).sum(dim=-1)

    def full_sort_predict(self, interaction):
        seq_output, items = self._sequence_and_items(interaction)
        return seq_output @ items.T


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
