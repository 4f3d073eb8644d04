"""A real Prometheus scrapes /metrics: team aggregates arrive, alert rules are valid."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import requests
from seed import HOSTILE, team_records
from servers import LiveServer, require_binary

from service import create_app
from workers.embedded import free_port
from workers.process import apply_records
from workers.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def prometheus_binary():
    return require_binary("prometheus")


def test_alert_rules_are_valid():
    promtool = require_binary("promtool")
    rules = str(ROOT / "deploy/prometheus/alerts.yml")
    result = subprocess.run([promtool, "check", "rules", rules],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def query(prom_url: str, expr: str) -> list[dict]:
    response = requests.get(f"{prom_url}/api/v1/query", params={"query": expr}, timeout=5)
    response.raise_for_status()
    return response.json()["data"]["result"]


def wait_for(prom_url: str, expr: str, timeout: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = query(prom_url, expr)
        except requests.RequestException:
            result = []
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"Prometheus never returned {expr}")


def test_prometheus_scrapes_team_aggregates(redis, tmp_path, prometheus_binary):
    """Hostile counts and agents-per-level reach a real Prometheus, with no agent label."""
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    app = create_app(Settings(clock="data", min_group_size=5), redis)
    with LiveServer(app) as server:
        port = free_port()
        config = tmp_path / "prometheus.yml"
        target = server.url.removeprefix("http://")
        config.write_text(
            "global: {scrape_interval: 1s}\n"
            "scrape_configs:\n"
            f"  - job_name: breather\n    static_configs: [{{targets: ['{target}']}}]\n")
        process = subprocess.Popen(
            [prometheus_binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path}/data",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            prom = f"http://127.0.0.1:{port}"
            hostile = wait_for(prom, 'breather_customer_messages_total{tone="hostile"}')
            assert hostile[0]["metric"]["team"] == "Billing"
            assert float(hostile[0]["value"][1]) == 2 * len(HOSTILE)
            levels = wait_for(prom, "breather_team_agents")
            assert sum(float(r["value"][1]) for r in levels) == 6
            assert all("agent" not in r["metric"] for r in levels)
        finally:
            process.terminate()
            process.wait(timeout=10)
