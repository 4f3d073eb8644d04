"""deploy/: the Grafana dashboard and alert rules only use metrics Breather really exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from seed import team_records

from service import create_app
from workers.process import apply_records
from workers.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
METRIC = re.compile(r"\bbreather_[a-z_]+")


def exported(redis) -> set[str]:
    apply_records(redis, team_records(agents=6, hostile_for=2))
    from workers.bookmarks import count_error

    count_error(redis, "zendesk", "tickets", "auth")  # counters appear once something counted
    redis.hincrby("breather:stats:corrections", "not_hostile", 1)
    redis.hincrby("breather:stats:responses", "break|accept", 1)
    body = create_app(Settings(clock="data"), redis).test_client().get("/metrics")
    names = set()
    for family in text_string_to_metric_families(body.get_data(as_text=True)):
        names.update(sample.name for sample in family.samples)
    return names


def test_dashboard_queries_use_exported_metrics(redis):
    dashboard = json.loads((DEPLOY / "grafana/breather-dashboard.json").read_text())
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in METRIC.findall(target["expr"])}
    assert used, "the dashboard queries Breather's metrics"
    missing = used - exported(redis)
    assert not missing, f"dashboard uses metrics nobody exports: {sorted(missing)}"


def test_alert_rules_use_exported_metrics(redis):
    used = set(METRIC.findall((DEPLOY / "prometheus/alerts.yml").read_text()))
    assert not used - exported(redis)


def test_dashboard_shows_no_per_agent_series():
    text = (DEPLOY / "grafana/breather-dashboard.json").read_text()
    assert "breather_agent_strain" not in text and "agent=" not in text
