"""The heap setting of `breather anger` and the worker (service/commands/heap.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from service.commands.heap import keep_freed_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_takes_the_setting_and_no_subprocess_is_started():
    code = ("import subprocess; subprocess.Popen.__init__ = None\n"  # any subprocess would fail
            "from service.commands.heap import keep_freed_memory\n"
            "print(keep_freed_memory())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "True"
    assert keep_freed_memory() is True


def test_the_worker_freezes_its_start_up_objects_before_forking_jobs():
    """After the warm-up the model and modules sit outside the collector's reach, so a forked
    job's full collections neither walk them nor copy their pages."""
    code = ("import gc\nfrom service.commands.ops import _warm_up\n"
            "before = gc.get_freeze_count()\n_warm_up()\nprint(before, gc.get_freeze_count())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    before, after = map(int, out.stdout.split())
    assert before == 0 and after > 10_000
