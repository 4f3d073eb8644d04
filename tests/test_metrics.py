"""/metrics: bounded labels, small teams pooled, per-agent series only when switched on."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from seed import team_records

from service import create_app
from workers.process import apply_records
from workers.settings import Settings


def scrape(redis, **settings) -> dict[str, list]:
    app = create_app(Settings(clock="data", **settings), redis)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    return {f.name: f.samples for f in text_string_to_metric_families(body)}


def test_messages_by_source_team_and_tone(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    families = scrape(redis)
    samples = {(s.labels["source"], s.labels["team"], s.labels["tone"]): s.value
               for s in families["breather_customer_messages"] if s.name.endswith("_total")}
    assert samples[("zendesk", "Billing", "hostile")] == 6
    levels = {s.labels["level"]: s.value for s in families["breather_team_agents"]}
    assert sum(levels.values()) == 6


def test_small_teams_are_pooled(redis):
    """A team of three never appears under its own name."""
    apply_records(redis, team_records(team="Tiny", agents=3, hostile_for=1))
    families = scrape(redis, min_group_size=5)
    teams = {s.labels["team"] for s in families["breather_team_agents"]}
    assert "Tiny" not in teams and teams == {"small teams"}


def test_no_agent_labels_unless_opted_in(redis):
    apply_records(redis, team_records(agents=6))
    default = scrape(redis)
    assert "breather_agent_strain" not in default
    assert all("agent" not in s.labels for samples in default.values() for s in samples)
    opted_in = scrape(redis, per_agent_metrics=True)
    assert len(opted_in["breather_agent_strain"]) == 6


def test_metrics_can_be_switched_off(redis):
    app = create_app(Settings(disabled=frozenset({"metrics"})), redis)
    assert app.test_client().get("/metrics").status_code == 404


def test_suggestion_answers_are_counted_without_agents(redis):
    redis.hincrby("breather:stats:responses", "break|decline", 2)
    families = scrape(redis)
    [sample] = [s for s in families["breather_suggestion_responses"]
                if s.name.endswith("_total")]
    assert sample.labels == {"kind": "break", "response": "decline"} and sample.value == 2


def team_labels(body: str) -> set[str]:
    return {s.labels["team"] for f in text_string_to_metric_families(body) for s in f.samples
            if "team" in s.labels}


def test_no_series_names_a_team_below_the_minimum(redis):
    """Whatever the metric, a team of three (or one Breather knows no agents of) is pooled."""
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    apply_records(redis, team_records(team="Tiny", agents=3, hostile_for=1, source="freshdesk"))
    redis.hincrby("breather:stats:messages", "zendesk|Ghost|hostile", 4)
    app = create_app(Settings(clock="data", min_group_size=5), redis)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    assert team_labels(body) == {"Billing", "small teams"}
    assert "Tiny" not in body and "Ghost" not in body
    families = {f.name: f.samples for f in text_string_to_metric_families(body)}
    hostile = {(s.labels["source"], s.labels["team"]): s.value
               for s in families["breather_customer_messages"]
               if s.name.endswith("_total") and s.labels["tone"] == "hostile"}
    assert hostile == {("zendesk", "Billing"): 6, ("freshdesk", "small teams"): 3,
                       ("zendesk", "small teams"): 4}
