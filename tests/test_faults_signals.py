"""Every long-running command stops cleanly on SIGINT and on SIGTERM, whatever signal
disposition it inherited (a shell starts background jobs with SIGINT ignored); `breather demo`
uses REDIS_URL when set and says which Redis it uses, so other commands can be pointed at it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from rq import Worker, cron_scheduler_registry

from workers.embedded import free_port, start_embedded_redis


def ignoring_signals() -> None:
    """What a non-interactive shell does to a background job (and more: SIGTERM too)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def start(args: list[str], env: dict, out) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            preexec_fn=ignoring_signals, start_new_session=True)


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError("the command did not become ready")


def answers(port: int, path: str = "/") -> bool:
    return requests.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code < 500


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", ["worker", "scheduler", "serve", "sandbox"])
def test_long_running_commands_stop_on_a_signal_they_inherited_ignored(
        command, sig, redis, redis_url, tmp_path):
    port = free_port()
    env = {**os.environ, "REDIS_URL": redis_url, "ZENDESK_URL": "http://127.0.0.1:9/zendesk",
           "ZENDESK_EMAIL": "a@example.com", "ZENDESK_TOKEN": "t", "BREATHER_POLL_SECONDS": "60",
           "PYTHONUNBUFFERED": "1"}
    args = {"worker": ["worker"], "scheduler": ["scheduler"],
            "serve": ["serve", "--port", str(port)],
            "sandbox": ["sandbox", "--port", str(port)]}[command]
    with open(tmp_path / "out.log", "w") as out:
        process = start(args, env, out)
    try:
        ready = {"worker": lambda: Worker.count(connection=redis) > 0,
                 "scheduler": lambda: redis.zcard(cron_scheduler_registry.get_registry_key()),
                 "serve": lambda: answers(port, "/healthz"),
                 "sandbox": lambda: answers(port)}[command]
        wait_until(ready)
        time.sleep(1.5)  # past start-up: the worker forks its Retry scheduler just after
        os.killpg(process.pid, sig)
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise AssertionError((tmp_path / "out.log").read_text()[-3000:]) from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = (tmp_path / "out.log").read_text()
    assert code in (0, 128 + sig), (code, output[-2000:])
    assert "Traceback" not in output, output[-2000:]


def test_demo_uses_redis_url_and_prints_it_for_other_commands(tmp_path):
    """With REDIS_URL set the demo keeps its data there, prints that URL, and `breather report`
    pointed at it sees the demo's agents; SIGTERM (inherited ignored) stops it cleanly."""
    server = start_embedded_redis(tmp_path / "redis")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "FRESHDESK_"))}
    env.update(REDIS_URL=server.url, PYTHONUNBUFFERED="1")
    port = free_port()
    out_path = tmp_path / "demo.out"
    try:
        with open(out_path, "w") as out:
            demo = start(["demo", "--port", str(port), "--speed", "600",
                          "--data-dir", str(tmp_path / "demo")], env, out)
        wait_until(lambda: "widget for" in out_path.read_text(), timeout=120)
        text = out_path.read_text()
        assert f"Redis:    {server.url}" in text
        secret = re.search(r"BREATHER_SECRET=(\S+)", text).group(1)
        report = subprocess.run([sys.executable, "-m", "service.cli", "report", "--json"],
                                env={**env, "BREATHER_SECRET": secret}, capture_output=True,
                                text=True, timeout=60)
        assert report.returncode == 0, report.stderr
        assert '"agent": "zendesk:' in report.stdout or '"agent": "freshdesk:' in report.stdout
        os.killpg(demo.pid, signal.SIGTERM)
        assert demo.wait(timeout=30) in (0, 130)
        assert "Traceback" not in out_path.read_text()
        assert server.process.poll() is None  # the operator's Redis is left running
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        server.stop()


def catches(pid: int, sig: int) -> bool:
    """Whether the process has a handler for `sig` (its SigCgt mask in /proc)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except FileNotFoundError:
        pass
    return False


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


BREATHER = [sys.executable, "-m", "service.cli"]
SCRIPT = [str(Path(sys.executable).parent / "breather")]  # the installed console script


def stop_while_starting(args: list[str], env: dict, out_path, preexec=ignoring_signals,
                        within: float = 0.5, command: list[str] = BREATHER) -> tuple[int, str]:
    """Start `breather <args>`, send SIGTERM as soon as it has a handler for it (or after
    `within` seconds: without one, the signal is ignored or kills it), and return its exit
    code and output; fails when it has not ended 15 s later."""
    with open(out_path, "w") as out:
        process = subprocess.Popen([*command, *args], env=env,
                                   stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, preexec_fn=preexec,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not catches(process.pid, signal.SIGTERM):
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGTERM)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running 15 s after SIGTERM:\n"
                                 f"{out_path.read_text()[-2000:]}") from None
        wait_until(lambda: group_gone(process.pid), timeout=10)
    finally:
        if process.poll() is None or not group_gone(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    return code, out_path.read_text()


@pytest.mark.parametrize("command", ["worker", "scheduler", "serve", "sandbox", "demo"])
def test_sigterm_while_a_command_starts_stops_it_with_one_line(command, redis, redis_url,
                                                                 tmp_path):
    """SIGTERM while the command still imports and loads (it inherited the signal ignored)
    ends it within seconds, saying so, with exit code 143 and nothing left running."""
    env = {**os.environ, "REDIS_URL": redis_url, "ZENDESK_URL": "http://127.0.0.1:9/zendesk",
           "ZENDESK_EMAIL": "a@example.com", "ZENDESK_TOKEN": "t", "PYTHONUNBUFFERED": "1"}
    args = {"worker": ["worker"], "scheduler": ["scheduler"],
            "serve": ["serve", "--port", str(free_port())],
            "sandbox": ["sandbox", "--port", str(free_port())],
            "demo": ["demo", "--port", "0", "--data-dir", str(tmp_path / "demo")]}[command]
    code, output = stop_while_starting(args, env, tmp_path / "out.log")
    assert code == 143, (code, output[-2000:])
    assert "stopped (SIGTERM)" in output and "Traceback" not in output, output[-2000:]
    assert Worker.count(connection=redis) == 0


@pytest.mark.parametrize("command", [BREATHER, SCRIPT], ids=["python -m", "script"])
def test_a_worker_with_the_default_sigterm_says_it_stops_while_starting(command, redis,
                                                                        redis_url, tmp_path):
    """Without an inherited disposition, SIGTERM during start-up still ends the worker with
    one line and 143, rather than killing it silently (run either way `breather` is run)."""
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}
    code, output = stop_while_starting(["worker"], env, tmp_path / "out.log", preexec=None,
                                       command=command)
    assert code == 143, (code, output[-2000:])
    assert "stopped (SIGTERM)" in output, output[-2000:]


def test_sigterm_to_the_worker_alone_while_rq_starts_leaves_nothing_running(redis, redis_url,
                                                                             tmp_path):
    """SIGTERM to the worker's process only (as a container runtime sends it) once it has
    registered with Redis, while RQ forks its scheduler: it ends, its scheduler with it."""
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}
    with open(tmp_path / "out.log", "w") as out:
        process = start(["worker"], env, out)
    try:
        wait_until(lambda: Worker.count(connection=redis) > 0)
        os.kill(process.pid, signal.SIGTERM)
        code = process.wait(timeout=20)
        wait_until(lambda: group_gone(process.pid), timeout=10)
    finally:
        if not group_gone(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    output = (tmp_path / "out.log").read_text()
    assert code in (0, 143), (code, output[-2000:])
    assert "Traceback" not in output, output[-2000:]
    wait_until(lambda: Worker.count(connection=redis) == 0, timeout=10)
