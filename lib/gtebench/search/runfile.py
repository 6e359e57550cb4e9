"""TREC run files (`qid Q0 item_id rank score tag`) and qrels (`qid 0 item_id gain`), the formats trec_eval, ranx and
pyserini read.

A run is written in the order the library ranked it, with scores that strictly decrease down each query's list:
the computed score at full (float64) precision, and where two scores tie (BM25 gives identical texts identical
scores) the lower-ranked one is moved down by the smallest float64 step. A reader that sorts by score, whatever
its tie-break, then sees the library's ranking, so a recomputation from the files gives the reported numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..io import atomic_open


class RunFileError(ValueError):
    pass


def write_run(path: str | Path, qids, item_ids, positions: np.ndarray, scores: np.ndarray, tag: str) -> Path:
    """One line per retrieved item, ranks from 1, written atomically. `positions` index `item_ids` (the pool).

    Args:
        path: the TREC run file; qids: query ids, one per row of positions and scores; item_ids: the pool.
        positions, scores: (queries, k) arrays, best first; tag: the run's one-word name.
    """
    if positions.shape != scores.shape or positions.shape[0] != len(qids):
        raise RunFileError(f"positions {positions.shape} and scores {scores.shape} must be (queries={len(qids)}, k)")
    if not tag or any(c.isspace() for c in tag):
        raise RunFileError(f"a run tag must be one word, got {tag!r}")
    item_ids = np.asarray(item_ids, dtype=object)
    with atomic_open(path, "w", encoding="utf-8") as handle:
        for qid, row, row_scores in zip(qids, positions, scores):
            for rank, (position, score) in enumerate(zip(row, strictly_decreasing(row_scores)), 1):
                handle.write(f"{qid} Q0 {item_ids[position]} {rank} {score!r} {tag}\n")
    return Path(path)


def strictly_decreasing(scores: np.ndarray) -> list[float]:
    """One ranked list's scores as float64, each tie (or inversion) moved just below the score ranked above it."""
    out = [float(s) for s in np.asarray(scores, dtype=np.float64)]
    for rank in range(1, len(out)):
        if out[rank] >= out[rank - 1]:
            out[rank] = float(np.nextafter(out[rank - 1], -np.inf))
    return out


def write_qrels(path: str | Path, table: dict[str, dict[str, int]]) -> Path:
    """TREC qrels `qid 0 item_id gain`, one line per judged item with a positive integer gain, written atomically.

    `table` is what the metrics give ranx (gtebench.search.metrics.ranx_qrels: graded gains scaled to integers), so
    ranx or trec_eval reading this file and the run files beside it recompute the reported numbers.
    """
    with atomic_open(path, "w", encoding="utf-8") as handle:
        for qid, items in table.items():
            for item, gain in items.items():
                handle.write(f"{qid} 0 {item} {int(gain)}\n")
    return Path(path)


def read_run(path: str | Path) -> dict[str, dict[str, float]]:
    """qid -> {item_id: score}; a malformed line is an error naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise RunFileError(f"no run file at {path}")
    run: dict[str, dict[str, float]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            fields = line.split()
            where = f"{path}, line {number}"
            if len(fields) != 6:
                raise RunFileError(f"{where}: expected 6 fields 'qid Q0 item_id rank score tag', "
                                   f"got {len(fields)}: {line.strip()!r}")
            qid, _, item, rank, score, _ = fields
            try:
                int(rank)
                value = float(score)
            except ValueError:
                raise RunFileError(f"{where}: rank must be an integer and score a number, "
                                   f"got {rank!r} and {score!r}") from None
            if not math.isfinite(value):
                raise RunFileError(f"{where}: score {score!r} is not finite")
            if item in run.setdefault(qid, {}):
                raise RunFileError(f"{where}: item {item!r} appears twice for query {qid!r}")
            run[qid][item] = value
    return run
