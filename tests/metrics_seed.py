"""Redis state in which every Breather metric has something to show, through the real paths."""

from __future__ import annotations

import json

from rq import Queue
from seed import team_records

from workers import evidence, stats, strain
from workers.process import apply_records
from workers.suggestion_store import answer, apply_events, current_suggestion

EVERY_METRIC = {
    "breather_customer_messages_total", "breather_score_corrections_total",
    "breather_suggestion_responses_total", "breather_suggestions_total",
    "breather_breaks_started_total", "breather_checkins_total", "breather_api_errors_total",
    "breather_connector_requests_total", "breather_connector_rate_limited_total",
    "breather_poll_lag_seconds", "breather_queue_jobs",
    "breather_scoring_duration_seconds_bucket", "breather_processing_duration_seconds_bucket",
    "breather_team_agents", "breather_team_strain_mean", "breather_team_strain_percentile",
    "breather_team_hostile_messages_24h", "breather_team_wins_today",
    "breather_team_exposure_gini", "breather_suggestion_strain_change_bucket",
    "breather_suggestion_followup_readings_total",
    "breather_suggestion_followup_strain_change_points",
}


def seed_everything(redis, team: str = "Billing", agents: int = 6,
                    source: str = "zendesk") -> float:
    """Fill every counter once; returns the data time the state is at."""
    apply_records(redis, team_records(team=team, agents=agents, hostile_for=2, source=source))
    now = float(redis.zscore("breather:clock", "latest"))
    hit, other = f"{source}:101", f"{source}:102"
    offer = current_suggestion(redis, hit, now)
    answer(redis, hit, offer["id"], "accept", now)
    apply_events(redis, other, [strain.Event("checkin", now, other, value=3.0)])
    evidence.resolve_due(redis, now + 61 * 60)
    from workers import keys
    from workers.bookmarks import count_error

    count_error(redis, "zendesk", "tickets", "auth")
    redis.hincrby("breather:stats:corrections", "not_hostile", 1)
    for status in (200, 200, 429, 401):
        redis.hincrby(stats.REQUESTS, f"zendesk|{status}", 1)
    redis.hincrby(stats.RATE_LIMITED, "zendesk", 1)
    redis.set(keys.bookmark("zendesk", "tickets"), json.dumps({"position": now}))
    stats.observe_seconds(redis, "scoring", 0.02)
    stats.observe_seconds(redis, "processing", 0.3)
    Queue("breather", connection=redis).enqueue("workers.process.process_records", [])
    return now
