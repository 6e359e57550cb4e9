"""Per-user full-ranking metrics, computed exactly as RecBole's evaluator computes their means.

RecBole reports only the mean over users; paired significance tests need each user's value. The scores come from
the trainer's own full-sort step (padding and, where RecBole masks them, history items set to -inf) and the top-k
from the same `torch.topk` call, so the mean of these rows equals RecBole's reported metric (a test checks it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def metrics_from_hits(hits: np.ndarray, positives: np.ndarray, topk: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Recall@k and NDCG@k per user from a users x max(k) 0/1 hit matrix and each user's count of positives.

    RecBole's definitions: Recall@k = hits in the top k / positives; NDCG@k = DCG@k / ideal DCG@k with binary
    gains and 1 / log2(rank + 1) discounts, the ideal list holding min(positives, k) hits.
    """
    hits = np.asarray(hits, dtype=np.float64)
    positives = np.asarray(positives, dtype=np.float64)
    if hits.ndim != 2 or hits.shape[1] < max(topk):
        raise ValueError(f"hits must be users x {max(topk)} (the largest k), got shape {hits.shape}")
    if (positives <= 0).any():
        raise ValueError("every evaluated user needs at least one positive item")
    discounts = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2))
    out = {}
    for k in topk:
        out[f"recall@{k}"] = hits[:, :k].sum(axis=1) / positives
        dcg = (hits[:, :k] * discounts[:k]).sum(axis=1)
        ideal_cut = np.minimum(positives, k).astype(int)
        ideal = np.cumsum(discounts[:k])[ideal_cut - 1]
        out[f"ndcg@{k}"] = dcg / ideal
    return out


def per_user_metrics(trainer, loader, topk: tuple[int, ...]) -> pd.DataFrame:
    """One row per evaluated user: internal user id, the 1-based rank of the first hit (0 when outside the top
    max(k)) and Recall / NDCG at every k, from the trainer's current model on a full-sort loader."""
    import torch
    from recbole.data.dataloader import FullSortEvalDataLoader

    if not isinstance(loader, FullSortEvalDataLoader):
        raise TypeError(f"per-user metrics need a full-sort evaluation loader, got {type(loader).__name__}")
    trainer.model.eval()
    trainer.tot_item_num = loader._dataset.item_num  # what RecBole's evaluate() sets before its full-sort step
    if trainer.item_tensor is None:
        trainer.item_tensor = loader._dataset.get_item_feature().to(trainer.device)
    users, hit_rows, positive_counts = [], [], []
    uid_field = trainer.config["USER_ID_FIELD"]
    with torch.no_grad():
        for batched in loader:
            interaction, scores, positive_u, positive_i = trainer._full_sort_batch_eval(batched)
            _, top = torch.topk(scores, max(topk), dim=-1)
            # a (row, item) pair as one integer: hits are looked up among the positives only, not through a
            # users x items indicator matrix as RecBole's collector builds it
            n_rows, n_items = scores.shape
            rows = torch.arange(n_rows, device=top.device).unsqueeze(1)
            positive_keys = positive_u.to(top.device) * n_items + positive_i.to(top.device)
            hit_rows.append(torch.isin(rows * n_items + top, positive_keys).cpu().numpy())
            positive_counts.append(torch.bincount(positive_u, minlength=n_rows).cpu().numpy())
            users.append(interaction[uid_field].cpu().numpy())
    hits = np.concatenate(hit_rows)
    positives = np.concatenate(positive_counts)
    first_hit = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)
    frame = pd.DataFrame({"user": np.concatenate(users), "first_hit_rank": first_hit})
    for name, values in metrics_from_hits(hits, positives, topk).items():
        frame[name] = values
    return frame
