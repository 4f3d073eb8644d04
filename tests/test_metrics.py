"""/metrics: bounded labels, small teams pooled, per-agent series only when switched on."""

from __future__ import annotations

import subprocess

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
    named = scrape(redis, per_agent_metrics="named")
    assert {s.labels["agent"] for s in named["breather_agent_strain"]} == {
        f"zendesk:{100 + n}" for n in range(1, 7)}
    pseudonymous = scrape(redis, per_agent_metrics="pseudonymous")
    labels = {s.labels["agent"] for s in pseudonymous["breather_agent_strain"]}
    assert len(labels) == 6 and not any("zendesk" in label for label in labels)
    assert labels == {s.labels["agent"] for s in scrape(
        redis, per_agent_metrics="pseudonymous")["breather_agent_strain"]}  # stable


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
    from metrics_seed import seed_everything

    seed_everything(redis, "Billing")
    seed_everything(redis, "Tiny", agents=3, source="freshdesk")
    redis.hincrby("breather:stats:messages", "zendesk|Ghost|hostile", 4)
    app = create_app(Settings(clock="data", min_group_size=5), redis)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    assert team_labels(body) == {"Billing", "small teams"}
    assert "Tiny" not in body and "Ghost" not in body
    families = {f.name: f.samples for f in text_string_to_metric_families(body)}
    hostile = {(s.labels["source"], s.labels["team"]): s.value
               for s in families["breather_customer_messages"]
               if s.name.endswith("_total") and s.labels["tone"] == "hostile"}
    assert hostile == {("zendesk", "Billing"): 6, ("freshdesk", "small teams"): 6,
                       ("zendesk", "small teams"): 4}
    pooled = {name for name, samples in families.items()
              if any(s.labels.get("team") == "small teams" for s in samples)}
    assert {"breather_suggestions", "breather_breaks_started", "breather_checkins",
            "breather_suggestion_strain_change", "breather_team_exposure_gini"} <= pooled


def test_every_listed_metric_is_exported_and_promtool_accepts_them(redis):
    """`promtool check metrics` finds no problem in a scrape where every metric has data."""
    from metrics_seed import EVERY_METRIC, seed_everything
    from servers import require_binary

    seed_everything(redis)
    app = create_app(Settings(clock="data"), redis)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    names = {s.name for f in text_string_to_metric_families(body) for s in f.samples}
    assert EVERY_METRIC <= names, sorted(EVERY_METRIC - names)
    result = subprocess.run([require_binary("promtool"), "check", "metrics"], input=body,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_latency_histograms_count_every_job_of_a_forking_worker(redis, redis_url, monkeypatch):
    """RQ forks a work horse per job; each job's time still reaches /metrics, via Redis."""
    from rq import Queue, Worker

    monkeypatch.setenv("REDIS_URL", redis_url)
    queue = Queue("breather", connection=redis)
    for n in range(3):
        queue.enqueue("workers.process.process_records",
                      team_records(team=f"T{n}", agents=1, source=f"s{n}"))
    Worker([queue], connection=redis).work(burst=True, logging_level="WARNING")
    families = scrape(redis)
    counts = {s.name: s.value for name in ("breather_processing_duration_seconds",
                                           "breather_scoring_duration_seconds")
              for s in families[name] if s.name.endswith("_count")}
    assert counts == {"breather_processing_duration_seconds_count": 3,
                      "breather_scoring_duration_seconds_count": 3}
