"""bench/harness.py's Stack leaves nothing behind: its /tmp/breather-bench-* folder, its Redis
and its processes go when the run ends, fails, or is stopped with Ctrl-C or SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import ROOT, Stack

RUN_UNTIL_STOPPED = """
import json, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, whatever we inherit
from bench.harness import Stack
with Stack() as stack:
    stack.start("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"])
    print(json.dumps({"folder": str(stack.folder), "pids": stack.pids()}), flush=True)
    time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent is not running
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_finished_run_removes_its_folder_and_stops_redis():
    with Stack() as stack:
        folder = stack.folder
        assert folder.name.startswith("breather-bench-") and (folder / "redis").is_dir()
    assert not folder.exists()
    assert stack.redis_server.process.poll() is not None


def test_a_failed_run_removes_its_folder():
    with pytest.raises(RuntimeError), Stack() as stack:
        folder = stack.folder
        raise RuntimeError("the benchmark broke")
    assert not folder.exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_run_stopped_by_a_signal_removes_its_folder_and_processes(sig, tmp_path):
    """A benchmark process interrupted mid-run stops what it started and removes its folder."""
    with open(tmp_path / "stderr", "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", RUN_UNTIL_STOPPED], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=stderr, text=True)
    started = {"pids": {}}
    try:
        started = json.loads(process.stdout.readline())
        folder = Path(started["folder"])
        assert folder.is_dir()
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError((tmp_path / "stderr").read_text()[-3000:]) from None
        assert not folder.exists(), (tmp_path / "stderr").read_text()[-2000:]
        assert not [name for name, pid in started["pids"].items() if alive(pid)]
    finally:
        for pid in [process.pid, *started["pids"].values()]:  # whatever was left behind
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()
