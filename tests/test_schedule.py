"""The batch as a task graph and the simulated makespan: hand-computed schedules, shards, the paper batch's totals."""

import pytest

from gtebench import estimate as est
from gtebench.schedule import SHARD_TEXTS, Task, encoding_tasks, simulate


def test_a_hand_computed_schedule_on_two_gpus():
    tasks = [Task("a", 2.0), Task("b", 1.0), Task("c", 1.0, ("a",)), Task("d", 3.0)]
    one, two = simulate(tasks, 1), simulate(tasks, 2)
    assert one.hours == 7.0 == one.total and one.over_perfect == 1.0
    # t=0: a and d (the longest remaining paths, 3 h each); t=2: b (b and c tie at 1 h, by name); t=3: c
    assert two.hours == 4.0 and two.perfect == 3.5 and two.critical_path == 3.0
    assert two.over_perfect == pytest.approx(4.0 / 3.5) and two.longest_task.name == "d"
    assert simulate(tasks, 64).hours == 3.0  # many GPUs: the longest chain (a then c, or d) bounds it


def test_bad_graphs_and_gpu_counts_are_refused():
    with pytest.raises(ValueError, match="gpus must be >= 1"):
        simulate([Task("a", 1.0)], 0)
    with pytest.raises(ValueError, match="needs 'missing'"):
        simulate([Task("a", 1.0, ("missing",))], 2)
    with pytest.raises(ValueError, match="no tasks"):
        simulate([], 2)


def test_a_large_pool_is_encoded_in_shards_that_add_up_to_the_whole():
    items = est.data_size("esci")["items"]
    shards = encoding_tasks("esci", "minilm-l6", "item")
    assert len(shards) == -(-items // SHARD_TEXTS) > 1
    assert sum(t.hours for t in shards) == pytest.approx(est.encoding_hours("minilm-l6", items, est.TOKENS_PER_ITEM))
    assert shards[0].name == f"encode esci minilm-l6 item shard 1/{len(shards)}"
    assert [t.name for t in encoding_tasks("ml-100k", "minilm-l6", "item")] == ["encode ml-100k minilm-l6 item"]
    assert encoding_tasks("no-such-dataset", "minilm-l6", "item") == []


def test_the_paper_batch_schedule_adds_up_to_its_estimate(capsys):
    from gtebench.batch_plan import plan_estimate, resolve_notebooks
    from gtebench.batches import load_batch, select_runs
    from gtebench.reproduce import main
    from gtebench.schedule import schedule_report

    plans = resolve_notebooks(select_runs(load_batch("paper")))
    report = schedule_report(plans, [1, 8, 64])
    assert report.makespans[0].hours == pytest.approx(plan_estimate(plans).total)
    trains = [t for t in report.tasks if t.kind == "train"]
    assert len(trains) == 51 and all(t.needs or " id #" in t.name for t in trains)  # text runs wait for items
    eight = report.makespans[1]
    assert eight.perfect <= eight.hours <= 1.3 * eight.perfect  # the goal on 8 GPUs
    assert report.makespans[2].hours >= report.makespans[2].critical_path
    main(["--batch", "paper", "--dry-run", "--gpus", "1", "8"])
    out = capsys.readouterr().out
    assert "makespan / perfect" in out and "GPU tasks" in out
