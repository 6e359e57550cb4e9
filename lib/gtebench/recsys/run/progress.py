"""What a person watching a batch sees while runs train: one line when a run starts and when it ends (its epochs,
best validation NDCG@10, seconds, and the batch's ETA), and every `interval` seconds one line per running run
with its epoch and best validation NDCG@10 so far, read from the run's train.log (RecBole's epoch lines).

Plain lines on stdout, not a widget: they appear in the terminal (papermill log_output) and stay readable in the
executed notebook. GTEBENCH_QUIET=1 (`gtebench.reproduce --quiet`, gtebench.quiet) turns them off.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ...quiet import quiet

INTERVAL_SECONDS = 60.0
EPOCH_LINE = re.compile(r"epoch (\d+) evaluating \[time: [\d.]+s, valid_score: ([\d.]+)\]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # RecBole colours its log lines


def saved_epoch(history: list[float]) -> int:
    """The 0-based epoch whose weights RecBole keeps: the last one reaching the best validation score (its early
    stopping counts a tie as an improvement, `value >= best`, and saves that epoch); -1 without history."""
    if not history:
        return -1
    best = max(history)
    return max(i for i, score in enumerate(history) if score == best)


@dataclass(frozen=True)
class EpochState:
    epochs: int  # epochs evaluated so far
    best: float  # best validation score (NDCG@10)
    best_epoch: int  # 0-based, the epoch whose weights are kept (saved_epoch)


def epoch_state(log: Path) -> EpochState | None:
    """The run's progress from its train.log; None before its first evaluated epoch (or without a log)."""
    try:
        text = ANSI.sub("", Path(log).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    scores = [float(s) for _, s in EPOCH_LINE.findall(text)]
    if not scores:
        return None
    return EpochState(len(scores), max(scores), saved_epoch(scores))


def describe_state(state: EpochState | None, patience: int) -> str:
    """'epoch 12, best valid NDCG@10 6.12 at epoch 9, stops after epoch 19 unless it improves'."""
    if state is None:
        return "preparing"
    return (f"epoch {state.epochs}, best valid NDCG@10 {100 * state.best:.2f} at epoch {state.best_epoch + 1}, "
            f"stops after epoch {state.best_epoch + 1 + patience} unless it improves")


class RunProgress:
    """Progress lines of a set of training runs; start() and finish() from the scheduling thread, a ticker thread
    prints the running ones every `interval` seconds.

    Args:
        total: runs to train (finished ones reused are not counted).
        enabled: False prints nothing.
        interval: seconds between status lines of the running runs.
        stream: where lines go (stdout).
    """

    def __init__(self, total: int, enabled: bool = True, interval: float = INTERVAL_SECONDS, stream=None):
        self.total, self.enabled, self.interval = total, enabled and not quiet(), interval
        self.stream = stream or sys.stdout
        self.running: dict[str, tuple] = {}  # label -> (log path, patience, start time)
        self.done = 0
        self.begin = time.monotonic()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self) -> "RunProgress":
        if self.enabled and self.total:
            self.thread = threading.Thread(target=self._tick, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _print(self, line: str) -> None:
        if self.enabled:
            with self.lock:
                print(line, file=self.stream, flush=True)

    def start(self, label: str, log: Path, patience: int) -> None:
        with self.lock:
            self.running[label] = (Path(log), patience, time.monotonic())
        self._print(f"  training {label} ({self.done + len(self.running)}/{self.total} started)")

    def finish(self, label: str, record: dict | None) -> None:
        with self.lock:
            _, _, started = self.running.pop(label, (None, 0, time.monotonic()))
            self.done += 1
            elapsed = time.monotonic() - self.begin
            left = self.total - self.done
            eta = elapsed / self.done * left if self.done else 0.0
        if record is None:
            outcome = "failed (see the failures file)"
        elif not record.get("epochs") or "ndcg@10" not in record.get("valid", {}):  # popularity: nothing trained
            outcome = "finished"
        else:
            outcome = (f"{record['epochs']} epochs, best valid NDCG@10 {100 * record['valid']['ndcg@10']:.2f} at "
                       f"epoch {record['best_epoch'] + 1}")
        self._print(f"  done {label}: {outcome}, {time.monotonic() - started:.0f} s "
                    f"[{self.done}/{self.total}, {elapsed / 60:.1f} min, ETA {eta / 60:.1f} min]")

    def status_lines(self) -> list[str]:
        with self.lock:
            running = dict(self.running)
        return [f"  ... {label}: {describe_state(epoch_state(log), patience)}"
                for label, (log, patience, _) in running.items()]

    def _tick(self) -> None:
        while not self.stop.wait(self.interval):
            for line in self.status_lines():
                self._print(line)
