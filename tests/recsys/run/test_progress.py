"""Progress lines of training runs: parsed from RecBole's epoch lines, printed while runs train, off when quiet."""

import io
import time

from gtebench.recsys.run import run_many
from gtebench.recsys.run.progress import EpochState, RunProgress, describe_state, epoch_state, saved_epoch

LOG = """2026-12-03 14:08:14,012 \x1b[1;35m[Training]: \x1b[0m train_batch_size = [256]
2026-12-03 14:08:17,748 epoch 0 training [time: 2.45s, train loss: 1087.1858]
2026-12-03 14:08:20,391 epoch 0 evaluating [time: 2.64s, valid_score: 0.017200]
recall@10 : 0.0317    recall@50 : 0.0932    ndcg@10 : 0.0172    ndcg@50 : 0.0301
2026-12-03 14:08:24,961 epoch 1 evaluating [time: 2.26s, \x1b[1;34mvalid_score\x1b[0m: 0.045400]
2026-12-03 14:08:29,829 epoch 2 evaluating [time: 2.36s, valid_score: 0.045400]
"""


def test_the_state_of_a_run_is_read_from_its_log(tmp_path):
    log = tmp_path / "train.log"
    assert epoch_state(log) is None  # no log yet
    log.write_text(LOG.split("epoch 0 evaluating")[0])
    assert epoch_state(log) is None  # training, nothing evaluated yet
    log.write_text(LOG)
    state = epoch_state(log)  # colour codes stripped; a tie is an improvement for RecBole: the later epoch is kept
    assert state == EpochState(epochs=3, best=0.0454, best_epoch=2)
    assert describe_state(state, patience=10) == ("epoch 3, best valid NDCG@10 4.54 at epoch 3, stops after "
                                                  "epoch 13 unless it improves")
    assert describe_state(None, 10) == "preparing"


def test_running_runs_get_status_lines_and_finished_ones_a_line_with_the_eta(tmp_path):
    log = tmp_path / "train.log"
    log.write_text(LOG)
    out = io.StringIO()
    with RunProgress(total=2, interval=0.05, stream=out) as shown:
        shown.start("ml-100k sasrec-id seed 1", log, patience=5)
        time.sleep(0.3)
        shown.finish("ml-100k sasrec-id seed 1", {"epochs": 8, "best_epoch": 2, "valid": {"ndcg@10": 0.0612}})
    lines = out.getvalue().splitlines()
    assert lines[0] == "  training ml-100k sasrec-id seed 1 (1/2 started)"
    assert "  ... ml-100k sasrec-id seed 1: epoch 3, best valid NDCG@10 4.54 at epoch 3" in lines[1]
    assert lines[-1].startswith("  done ml-100k sasrec-id seed 1: 8 epochs, best valid NDCG@10 6.12 at epoch 3, ")
    assert "[1/2, " in lines[-1] and "ETA " in lines[-1]


def test_quiet_turns_the_lines_off(tmp_path, monkeypatch):
    monkeypatch.setenv("GTEBENCH_QUIET", "1")
    out = io.StringIO()
    with RunProgress(total=1, interval=0.01, stream=out) as shown:
        shown.start("x", tmp_path / "train.log", patience=5)
        time.sleep(0.05)
        shown.finish("x", None)
    assert out.getvalue() == ""


def test_run_many_prints_a_line_per_run(monkeypatch, capsys):
    from gtebench.profiles import get_training_profile
    from gtebench.recsys.run import pool
    from gtebench.recsys.run.spec import RunSpec

    profile = get_training_profile("default").with_overrides(parallel_runs=1)
    specs = [RunSpec("ml-100k", "sasrec", "id", None, seed, profile) for seed in (1, 2)]
    monkeypatch.setattr(pool, "finished_record", lambda spec: None if spec.seed == 1 else {"reused": True})
    monkeypatch.setattr(pool, "train_and_evaluate",
                        lambda spec: {"epochs": 4, "best_epoch": 1, "valid": {"ndcg@10": 0.05}})
    assert len(run_many(specs, failures=[])) == 2
    out = capsys.readouterr().out
    assert "1 finished run(s) reused" in out and "training ml-100k sasrec-id id seed 1 (1/1 started)" in out
    assert "done ml-100k sasrec-id id seed 1: 4 epochs, best valid NDCG@10 5.00 at epoch 2" in out


def test_the_saved_epoch_is_the_last_to_reach_the_best_score_as_recbole_keeps_it():
    from recbole.utils import early_stopping

    history = [0.01, 0.03, 0.02, 0.03, 0.025]
    best, step, kept = -1.0, 0, None
    for epoch, score in enumerate(history):  # RecBole's own rule decides which epoch's weights it saves
        best, step, _, update = early_stopping(score, best, step, max_step=10)
        kept = epoch if update else kept
    assert saved_epoch(history) == kept == 3 and saved_epoch([]) == -1
