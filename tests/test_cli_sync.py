"""`breather sync --once`, then `breather report --json`, as subprocesses against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from servers import LiveServer

REPORT_FIELDS = {"agent", "name", "team", "open_tickets", "customer_messages",
                 "hostile_messages", "strain", "level"}


def run_cli(args: list[str], env: dict, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def sandbox_url():
    sandbox = pytest.importorskip("sandbox")
    app = sandbox.create_app(speed=3600.0, seed=11, history_hours=6.0, backlog_hours=6.0)
    with LiveServer(app) as server:
        yield server.url


def base_env(redis_url: str, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZENDESK_", "FRESHDESK_", "BREATHER_", "REDIS_"))}
    env.update({"REDIS_URL": redis_url, "BREATHER_DATA_DIR": str(tmp_path),
                "BREATHER_CLOCK": "data"})
    return env


def test_sync_once_then_report_against_zendesk_compatible_url(redis, redis_url, sandbox_url,
                                                              tmp_path):
    env = base_env(redis_url, tmp_path)
    env.update({"ZENDESK_URL": f"{sandbox_url}/zendesk", "ZENDESK_EMAIL": "ops@example.com",
                "ZENDESK_TOKEN": "sandbox"})
    synced = run_cli(["sync", "--once"], env)
    assert synced.returncode == 0, synced.stderr
    assert "synced" in synced.stdout
    report = run_cli(["report", "--json"], env)
    assert report.returncode == 0, report.stderr
    rows = json.loads(report.stdout)
    assert len(rows) >= 12
    assert all(REPORT_FIELDS <= set(row) for row in rows)
    assert all(row["agent"].startswith("zendesk:") for row in rows)
    assert all(0 <= row["strain"] <= 100 for row in rows)
    assert sum(row["customer_messages"] for row in rows) > 0
    assert sum(row["hostile_messages"] for row in rows) > 0
    assert {row["team"] for row in rows} >= {"Billing", "Technical"}


def test_second_sync_adds_nothing_twice(redis, redis_url, sandbox_url, tmp_path):
    """Bookmarks hold: a second sync right after the first counts no message again."""
    env = base_env(redis_url, tmp_path)
    env.update({"ZENDESK_URL": f"{sandbox_url}/zendesk", "ZENDESK_EMAIL": "ops@example.com",
                "ZENDESK_TOKEN": "sandbox"})
    assert run_cli(["sync", "--once"], env).returncode == 0
    before = redis.hgetall("breather:stats:messages")
    assert run_cli(["sync", "--once"], env).returncode == 0
    after = redis.hgetall("breather:stats:messages")
    grown = sum(int(after[k]) for k in after) - sum(int(before[k]) for k in before)
    # the sandbox clock moves on, so a few new messages may arrive, never the whole history again
    assert grown < sum(int(v) for v in before.values()) / 4


def test_sync_with_bad_credentials_fails_clearly(redis_url, sandbox_url, tmp_path):
    env = base_env(redis_url, tmp_path)
    env.update({"ZENDESK_URL": f"{sandbox_url}/zendesk"})
    result = run_cli(["sync", "--once"], env)
    assert result.returncode != 0
    assert "ZENDESK_EMAIL" in result.stderr
    assert "Traceback" not in result.stderr


def test_sync_without_a_source_says_what_to_set(redis_url, tmp_path):
    result = run_cli(["sync", "--once"], base_env(redis_url, tmp_path))
    assert result.returncode != 0
    assert "ZENDESK_URL" in result.stderr and "Traceback" not in result.stderr
