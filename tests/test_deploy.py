"""deploy/: the Grafana dashboard and the Prometheus rules only use metrics Breather exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from metrics_seed import seed_everything
from prometheus_client.parser import text_string_to_metric_families

from service import create_app
from workers.settings import Settings, ZendeskConfig

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
DASHBOARD = DEPLOY / "grafana/dashboards/breather.json"
RULES = DEPLOY / "prometheus/rules"
RECORDED = re.compile(r"\b(?:[a-z_]+:)?breather_[a-z0-9_]+:[a-z0-9_]+")
METRIC = re.compile(r"\bbreather_[a-z0-9_]+")


def exported(redis) -> set[str]:
    seed_everything(redis)
    # a configured source, so that its pollers' series (breather_poller_up) are exported too
    zendesk = ZendeskConfig("http://127.0.0.1:9", "ops@example.com", "token")
    body = create_app(Settings(clock="data", zendesk=zendesk), redis).test_client().get("/metrics")
    names = set()
    for family in text_string_to_metric_families(body.get_data(as_text=True)):
        names.update(sample.name for sample in family.samples)
    return names


def rule_groups() -> list[dict]:
    return [group for path in sorted(RULES.glob("*.yml"))
            for group in yaml.safe_load(path.read_text())["groups"]]


def recorded_names() -> set[str]:
    return {rule["record"] for group in rule_groups() for rule in group["rules"]
            if "record" in rule}


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"]
            for target in panel.get("targets", [])]


def raw_metrics(exprs: list[str]) -> set[str]:
    """Metric names in PromQL, recording-rule names set aside (they are checked separately)."""
    return {name for expr in exprs for name in METRIC.findall(RECORDED.sub("", expr))}


def test_dashboard_queries_use_exported_metrics_and_defined_rules(redis):
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    used_rules = {name for expr in exprs for name in RECORDED.findall(expr)}
    assert used_rules <= recorded_names(), used_rules - recorded_names()
    missing = raw_metrics(exprs) - exported(redis)
    assert not missing, f"dashboard uses metrics nobody exports: {sorted(missing)}"


def test_rules_use_exported_metrics(redis):
    exprs = [rule["expr"] for group in rule_groups() for rule in group["rules"]]
    missing = raw_metrics(exprs) - exported(redis)
    assert not missing, missing


def test_team_panels_follow_the_team_variable():
    """Every query on a team-labelled metric is filtered by the dashboard's `team` variable."""
    team_metrics = re.compile(r"breather_(team_|customer_messages|suggestions_total|breaks|"
                              r"checkins|suggestion_strain)|team:|team_kind")
    for expr in dashboard_exprs():
        if team_metrics.search(expr):
            assert '$team' in expr, expr


def test_dashboard_shows_no_per_agent_series():
    text = DASHBOARD.read_text()
    assert "breather_agent_strain" not in text and "agent=" not in text


def test_provisioning_points_grafana_at_the_dashboards():
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/breather.yml")
                              .read_text())["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    source = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml")
                            .read_text())["datasources"][0]
    assert source["type"] == "prometheus" and source["uid"] == "prometheus"
