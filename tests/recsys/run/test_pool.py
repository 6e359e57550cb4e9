"""Worker processes of run_many."""

import os
import subprocess
import sys
import time

from gtebench.recsys.run import run_many

ORPHAN_SCRIPT = """
import concurrent.futures as cf, multiprocessing, os, sys, time
from gtebench.recsys.run.pool import worker_init

def busy():
    time.sleep(60)

if __name__ == "__main__":
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init,
                                initargs=(1,)) as pool:
        print(pool.submit(os.getpid).result(), flush=True)
        pool.submit(busy)
        time.sleep(1)
        os._exit(0)  # the parent dies mid-run, as a killed notebook kernel does
"""


def test_workers_die_with_their_parent(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN_SCRIPT)
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120).stdout
    child = int(output.split()[0])
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, 9)
    raise AssertionError(f"worker {child} outlived its parent")


def test_no_specs_no_records():
    assert run_many([]) == []
