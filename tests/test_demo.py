"""`breather demo` end to end: hostile messages reach /metrics and the strain API; Ctrl-C
stops every child process cleanly, even when the demo inherited SIGINT ignored (started in the
background by a shell, as `make test &` does)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from workers.embedded import free_port


def processes_with_marker(marker: str) -> list[int]:
    """Pids whose environment carries the marker: the demo and everything it started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def hostile_total(base: str) -> float:
    body = requests.get(f"{base}/metrics", timeout=5).text
    return sum(s.value for f in text_string_to_metric_families(body) for s in f.samples
               if s.name == "breather_customer_messages_total" and s.labels["tone"] == "hostile")


def test_demo_shows_hostile_messages_and_stops_cleanly(tmp_path):
    port, marker = free_port(), f"BREATHER_TEST_MARKER={uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the embedded Redis path
    env.update({marker.split("=")[0]: marker.split("=")[1], "PYTHONUNBUFFERED": "1"})
    stdout_path = tmp_path / "demo.out"
    with open(stdout_path, "w") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "demo", "--port", str(port), "--speed", "600",
             "--data-dir", str(tmp_path / "demo")],
            env=env, stdout=out, stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # as from `make &`
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        hostile, link = 0.0, None
        while time.monotonic() < deadline and not (hostile > 0 and link):
            time.sleep(2)
            assert demo.poll() is None, demo.stderr.read()
            try:
                hostile = hostile_total(base)
            except requests.RequestException:
                continue
            match = re.search(r"widget for .*?: (http\S+)", stdout_path.read_text())
            link = match.group(1) if match else None
        assert hostile > 0, "no hostile message reached /metrics within 2 minutes"
        assert link, stdout_path.read_text()
        query = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))
        agent = requests.utils.unquote(query["agent"])
        view = requests.get(f"{base}/api/v1/agents/{agent}/strain",
                            headers={"Authorization": f"Bearer {query['token']}"}, timeout=5)
        assert view.status_code == 200, view.text
        assert 0 <= view.json()["strain"] <= 100
        assert requests.get(link, timeout=5).status_code == 200
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        _, stderr = demo.communicate(timeout=30)
    assert "Traceback" not in stderr, stderr
    assert demo.returncode in (0, 130), stderr
    time.sleep(0.5)
    assert processes_with_marker(marker) == []
