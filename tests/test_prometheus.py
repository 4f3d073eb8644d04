"""deploy/prometheus with promtool, and a real Prometheus scraping Breather fed by the sandbox."""

from __future__ import annotations

import json
import math
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml
from rq import Queue
from servers import LiveServer, require_binary

from service import create_app
from workers import agents, evidence
from workers.clock import current_time
from workers.embedded import free_port
from workers.poll import sync_once
from workers.rq_workers import SimpleWorker
from workers.settings import Settings, ZendeskConfig
from workers.suggestion_store import answer, apply_events, current_suggestion

ROOT = Path(__file__).resolve().parent.parent
PROM = ROOT / "deploy/prometheus"
DASHBOARD = ROOT / "deploy/grafana/dashboards/breather.json"


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([require_binary("promtool"), *args], capture_output=True, text=True,
                          timeout=120, cwd=PROM)


def test_config_and_rules_pass_promtool_checks():
    for args in (("check", "config", "prometheus.yml"),
                 ("check", "rules", *sorted(str(p) for p in (PROM / "rules").glob("*.yml")))):
        result = promtool(*args)
        assert result.returncode == 0, result.stdout + result.stderr


def test_alert_unit_tests_pass():
    result = promtool("test", "rules", "tests/alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_case():
    alerts = {rule["alert"] for path in (PROM / "rules").glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"]
              for rule in group["rules"] if "alert" in rule}
    cases = [case for test in yaml.safe_load((PROM / "tests/alerts_test.yml").read_text())["tests"]
             for case in test.get("alert_rule_test", [])]
    firing = {c["alertname"] for c in cases if c.get("exp_alerts")}
    quiet = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert len(alerts) >= 6
    assert alerts <= firing, alerts - firing
    assert alerts <= quiet, alerts - quiet


def query(prom_url: str, expr: str) -> list[dict]:
    response = requests.get(f"{prom_url}/api/v1/query", params={"query": expr}, timeout=5)
    response.raise_for_status()
    return response.json()["data"]["result"]


def wait_for(prom_url: str, expr: str, timeout: float = 60.0) -> list[dict]:
    """The query's result once it holds at least one number (not NaN)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = query(prom_url, expr)
        except requests.RequestException:
            result = []
        if any(not math.isnan(float(r["value"][1])) for r in result):
            return result
        time.sleep(0.5)
    raise AssertionError(f"Prometheus never returned data for {expr}")


class RunningPrometheus:
    """Debian's prometheus on a free port, scraping one target every second, with our rules."""

    def __init__(self, binary: str, target: str, tmp_path: Path):
        self.port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(PROM / "rules/*.yml")],
            "scrape_configs": [{"job_name": "breather",
                                "static_configs": [{"targets": [target]}]}]}))
        self.args = [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path}/data",
                     f"--web.listen-address=127.0.0.1:{self.port}"]

    def __enter__(self) -> str:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def sync_and_process(settings: Settings, redis) -> None:
    """What `breather sync --once` does: poll every stream, run the process jobs here."""
    summary = sync_once(settings, redis)
    assert not summary["errors"], summary["errors"]
    queue = Queue(settings.queue_name, connection=redis)
    SimpleWorker([queue], connection=redis).work(burst=True, logging_level="WARNING")


def agents_answer_suggestions(settings: Settings, redis) -> int:
    """Every agent is asked and accepts, declines or snoozes in turn; one checks in and one
    starts a break on their own."""
    from workers.strain import Event

    now = current_time(redis, settings.clock)
    offered = 0
    for n, agent in enumerate(agents.agent_ids(redis)):
        suggestion = current_suggestion(redis, agent, now)
        if suggestion is not None:
            offered += 1
            response = ("accept", "decline", "snooze")[n % 3]
            answer(redis, agent, suggestion["id"], response, now,
                   15 if response == "snooze" else None)
        if n == 0:
            apply_events(redis, agent, [Event("checkin", now, agent, value=4.0),
                                        Event("break_start", now, agent)])
    return offered


@pytest.fixture
def sandbox_url():
    import sandbox

    # two hours already played, the next four at 240x: a minute of wall time brings 4 hours
    app = sandbox.create_app(speed=240.0, seed=5, history_hours=6.0, backlog_hours=2.0)
    with LiveServer(app) as server:
        yield server.url


def test_every_dashboard_panel_gets_data_from_a_real_prometheus(redis, tmp_path, sandbox_url):
    """Breather fed by the sandbox, scraped by Debian's prometheus with deploy/'s rules: every
    query of every panel of the dashboard returns a number, and no series names an agent."""
    binary = require_binary("prometheus")
    settings = Settings(clock="data", zendesk=ZendeskConfig(
        base_url=f"{sandbox_url}/zendesk", email="ops@example.com", token="sandbox"))
    app = create_app(settings, redis)
    with LiveServer(app) as server, RunningPrometheus(
            binary, server.url.removeprefix("http://"), tmp_path) as prom:
        deadline = time.monotonic() + 150
        while not redis.exists(evidence.HISTOGRAM):  # until a break offer is 30 min old
            assert time.monotonic() < deadline, "no do-breaks-help reading in 150 s"
            sync_and_process(settings, redis)
            agents_answer_suggestions(settings, redis)  # the widgets ask, agents answer
            time.sleep(2)
        sync_and_process(settings, redis)  # latencies and counters move while scraped
        dashboard = json.loads(DASHBOARD.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$team", ".*")
                result = wait_for(prom, expr, timeout=30)
                assert all("agent" not in r["metric"] for r in result), panel["title"]
        variable = requests.get(f"{prom}/api/v1/label/team/values", timeout=5).json()["data"]
        teams = {r["metric"]["team"] for r in query(prom, "breather_team_agents")}
        assert teams <= set(variable)  # the dashboard's `team` variable offers every team
        assert teams and teams <= set(agents.team_summaries(
            agents.all_views(redis, current_time(redis, "data")), settings.min_group_size))
