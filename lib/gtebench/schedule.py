"""A batch as a graph of GPU tasks, and what N GPUs buy: a simulation of list scheduling from the estimates.

Tasks (each with its estimated GPU hours from gtebench.estimate and the tasks it waits for):
- `specialise <key>`: contrastive fine-tuning of a specialised encoder (gtebench.specialise);
- `encode <dataset> <encoder> <role> [shard i/n]`: a pool larger than SHARD_TEXTS is split into shards of at most
  that many texts, which land in the one cache as disjoint row ranges, so several GPUs encode one pool;
- `train <dataset> <model> #k`: one training run (a backbone x variant x seed of that dataset and item model),
  waiting for the item encoding of its encoder (ID runs wait for nothing).
Search scoring and the notebooks themselves cost minutes of CPU and are left out of the GPU makespan.

The simulation places tasks as an engine's scheduler does once their inputs exist: whenever a GPU is free, the
ready task with the longest remaining path to the end of the graph starts on it (critical-path list scheduling;
Dask's own ordering differs in detail, so read the makespan as an estimate, not a promise). Perfect scaling is the
total divided by the GPUs; the makespan can never be shorter than the longest chain of dependent tasks.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from . import estimate as est

SHARD_TEXTS = 100_000  # texts per encoding shard: minutes on a GPU, small enough to redo when a worker dies


@dataclass(frozen=True)
class Task:
    name: str
    hours: float  # estimated GPU hours
    needs: tuple[str, ...] = ()  # names of the tasks whose outputs it reads
    kind: str = "encode"  # "specialise", "encode" or "train"


@dataclass(frozen=True)
class Makespan:
    gpus: int
    hours: float  # the simulated wall-clock hours on `gpus` GPUs
    total: float  # GPU hours of every task (the makespan on one GPU)
    critical_path: float  # hours of the longest chain of dependent tasks: no number of GPUs beats it
    longest_task: Task

    @property
    def perfect(self) -> float:
        return self.total / self.gpus

    @property
    def over_perfect(self) -> float:
        """The makespan against perfect scaling (1.0 = perfect)."""
        return self.hours / self.perfect if self.perfect else 1.0


def encoding_tasks(dataset: str, encoder: str, role: str, after: tuple[str, ...] = ()) -> list[Task]:
    """The shards of one pool's encoding (one task when it holds at most SHARD_TEXTS texts); [] when the size of
    the dataset is unknown. `role`: "item" (the pool) or "query"; `after`: the tasks the encoder itself waits for
    (its specialisation)."""
    size = est.data_size(dataset)
    texts = (size or {}).get("items" if role == "item" else "queries")
    if not texts:
        return []
    tokens = est.TOKENS_PER_ITEM if role == "item" else est.TOKENS_PER_QUERY
    hours = est.encoding_hours(encoder, texts, tokens)
    shards = math.ceil(texts / SHARD_TEXTS)
    base = f"encode {dataset} {encoder} {role}"
    if shards == 1:
        return [Task(base, hours, after)]
    return [Task(f"{base} shard {i + 1}/{shards}", hours / shards, after) for i in range(shards)]


def batch_tasks(plans) -> list[Task]:
    """The GPU tasks of resolved notebooks (gtebench.batch_plan.resolve_notebooks): each (dataset, encoder, role)
    encoded once for every notebook that uses it, every training run its own task."""
    tasks: dict[str, Task] = {}
    for plan in plans:
        for key, cost in plan.specialisations.items():
            if cost is not None:
                tasks[f"specialise {key}"] = Task(f"specialise {key}", est.specialisation_hours(*cost),
                                                  kind="specialise")
    encodings: dict[tuple[str, str], list[str]] = {}  # (dataset, encoder) -> the item encoding's task names
    for dataset, encoder, role in sorted(set().union(*(p.encodings for p in plans)) if plans else ()):
        after = (f"specialise {encoder}",) if f"specialise {encoder}" in tasks else ()
        for task in encoding_tasks(dataset, encoder, role, after):
            tasks[task.name] = task
            if role == "item":
                encodings.setdefault((dataset, encoder), []).append(task.name)
    for plan in plans:
        ratio = _all_positions_ratio(plan)
        for (dataset, model), count in sorted(plan.runs.items()):
            size = est.data_size(dataset)
            if not size or "rows" not in size:
                continue
            needs = tuple(encodings.get((dataset, model), ()))
            hours = est.training_hours(size["rows"], 1) * (est.all_positions_ratio(dataset) if ratio else 1.0)
            for number in range(1, count + 1):
                name = f"train {dataset} {model} #{number} ({plan.notebook})"
                tasks[name] = Task(name, hours, needs, "train")
    return list(tasks.values())


def _all_positions_ratio(plan) -> bool:
    """Whether the notebook's training profile trains every target from one pass (profile training_targets)."""
    from .profiles import get_training_profile

    try:
        profile = get_training_profile(plan.parameters.get("profile", "default"))
        profile = profile.with_overrides(**(plan.parameters.get("profile_overrides") or {}))
    except (ValueError, TypeError):  # a bad profile is the dry run's problem to report, not the schedule's
        return False
    return profile.training_targets == "all-positions"


def _remaining_paths(tasks: list[Task]) -> dict[str, float]:
    """Each task's hours plus the longest chain of tasks that wait on it (its priority)."""
    by_name = {t.name: t for t in tasks}
    waiting: dict[str, list[str]] = {t.name: [] for t in tasks}
    for task in tasks:
        for need in task.needs:
            if need not in by_name:
                raise ValueError(f"task {task.name!r} needs {need!r}, which is not a task of the graph")
            waiting[need].append(task.name)
    remaining: dict[str, float] = {}

    def path(name: str) -> float:
        if name not in remaining:
            remaining[name] = by_name[name].hours + max((path(w) for w in waiting[name]), default=0.0)
        return remaining[name]

    for task in sorted(tasks, key=lambda t: len(t.needs)):  # roots last in recursion depth: chains are short
        path(task.name)
    return remaining


def simulate(tasks: list[Task], gpus: int) -> Makespan:
    """The makespan of `tasks` on `gpus` identical GPUs under critical-path list scheduling (see the module)."""
    if gpus < 1:
        raise ValueError(f"gpus must be >= 1, got {gpus}")
    if not tasks:
        raise ValueError("no tasks to schedule (no dataset of the batch has a known size)")
    remaining = _remaining_paths(tasks)
    by_name = {t.name: t for t in tasks}
    blocked = {t.name: len(t.needs) for t in tasks}
    waiting: dict[str, list[str]] = {t.name: [] for t in tasks}
    for task in tasks:
        for need in task.needs:
            waiting[need].append(task.name)
    ready = [(-remaining[n], n) for n, count in blocked.items() if count == 0]
    heapq.heapify(ready)
    running: list[tuple[float, str]] = []  # (finish time, task)
    now, free = 0.0, gpus
    while ready or running:
        while ready and free:
            _, name = heapq.heappop(ready)
            heapq.heappush(running, (now + by_name[name].hours, name))
            free -= 1
        now, done = heapq.heappop(running)
        free += 1
        for name in waiting[done]:
            blocked[name] -= 1
            if blocked[name] == 0:
                heapq.heappush(ready, (-remaining[name], name))
    total = sum(t.hours for t in tasks)
    critical = max(remaining[t.name] for t in tasks if not t.needs)
    return Makespan(gpus, now, total, critical, max(tasks, key=lambda t: t.hours))


@dataclass
class ScheduleReport:
    tasks: list[Task]
    makespans: list[Makespan] = field(default_factory=list)

    def text(self) -> str:
        kinds = {kind: [t for t in self.tasks if t.kind == kind] for kind in ("specialise", "encode", "train")}
        counts = ", ".join(f"{len(ts)} {kind}" for kind, ts in kinds.items() if ts)
        first = self.makespans[0]
        lines = [f"Schedule ({len(self.tasks)} GPU tasks: {counts}; {first.total:.1f} GPU h in all; the longest "
                 f"chain {first.critical_path:.2f} h; the longest task {first.longest_task.hours:.2f} h: "
                 f"{first.longest_task.name})",
                 "  GPUs  makespan h  perfect h  makespan / perfect"]
        for m in self.makespans:
            lines.append(f"  {m.gpus:>4}  {m.hours:>10.2f}  {m.perfect:>9.2f}  {m.over_perfect:>18.2f}")
        return "\n".join(lines)


def schedule_report(plans, gpus: list[int]) -> ScheduleReport:
    """The batch's tasks and its simulated makespan on each number of GPUs."""
    tasks = batch_tasks(plans)
    return ScheduleReport(tasks, [simulate(tasks, n) for n in gpus])
