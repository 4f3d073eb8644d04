"""Prometheus metrics, computed at scrape time from Redis by one custom collector.

RQ forks a process per job, so counters incremented inside jobs would be lost or need
multiprocess files; instead jobs HINCRBY counters in Redis (workers/stats.py) and this collector
reads them, so every gunicorn worker answers with the same numbers. Labels are bounded (source,
stream, status, team, tone, kind, outcome, level); small teams are pooled in `pool_teams`, the
one place every team-labelled sample passes. Per-agent series only with
BREATHER_PER_AGENT_METRICS=pseudonymous or named.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.samples import Sample

from service.extension import get_breather
from service.team_stats import exposure_gini, quantile
from workers import agents, bookmarks, evidence, health, keys, stats
from workers.clock import current_time
from workers.poll import STREAMS
from workers.pooling import TeamPool

bp = Blueprint("metrics", __name__)

# gauges that are not sums over agents: computed over pooled groups, never summed
NON_ADDITIVE = {"breather_team_strain_mean", "breather_team_strain_percentile",
                "breather_team_exposure_gini"}
QUANTILES = (0.5, 0.9)
QUEUE_STATES = ("queued", "started", "deferred", "scheduled", "failed")


class BreatherCollector:
    """Yields Breather's metric families from Redis on every scrape."""

    def __init__(self, redis, settings):
        self.redis = redis
        self.settings = settings

    def collect(self):
        now = current_time(self.redis, self.settings.clock)
        evidence.resolve_due(self.redis, now)
        views = agents.all_views(self.redis, now, with_recent=False)
        pool = TeamPool.from_teams((view["team"] for view in views),
                                   self.settings.min_group_size)
        families = [self._messages(), self._corrections(), self._responses(),
                    *self._suggestions(), self._errors(), *self._connectors(),
                    self._poll_lag(), self._queue(), *self._latencies(),
                    *self._teams(views, pool), *self._evidence(), *self._per_agent(views),
                    self._pollers()]
        for family in families:
            yield pool_teams(family, pool)

    def _counts(self, key: str) -> list[tuple[list[str], int]]:
        """A stats hash as (field split on "|", value) pairs."""
        return [(field.decode().split("|"), int(value))
                for field, value in self.redis.hgetall(key).items()]

    def _messages(self):
        family = CounterMetricFamily(
            "breather_customer_messages", "Customer messages scored, by source, team and tone.",
            labels=["source", "team", "tone"])
        for parts, value in self._counts(keys.MESSAGE_COUNTS):
            family.add_metric(parts, value)
        return family

    def _corrections(self):
        family = CounterMetricFamily(
            "breather_score_corrections", "Scores agents marked wrong, by corrected tone.",
            labels=["corrected_to"])
        for parts, value in self._counts(keys.CORRECTION_COUNTS):
            family.add_metric(parts[:1], value)
        return family

    def _responses(self):
        family = CounterMetricFamily(
            "breather_suggestion_responses",
            "Answers to suggestions, by kind and response (never per agent).",
            labels=["kind", "response"])
        for parts, value in self._counts(keys.RESPONSE_COUNTS):
            family.add_metric((parts + [""])[:2], value)
        return family

    def _suggestions(self):
        offered = CounterMetricFamily(
            "breather_suggestions", "Suggestions by team, kind and outcome (offered, accepted, "
            "snoozed, declined, expired).", labels=["team", "kind", "outcome"])
        for parts, value in self._counts(stats.SUGGESTIONS):
            offered.add_metric(parts, value)
        breaks = CounterMetricFamily("breather_breaks_started", "Breaks started, by team.",
                                     labels=["team"])
        checkins = CounterMetricFamily(
            "breather_checkins", "Check-ins given, by team (how many, never the answers).",
            labels=["team"])
        for (team, event_type), value in self._counts(stats.TEAM_EVENTS):
            (breaks if event_type == "break_start" else checkins).add_metric([team], value)
        return offered, breaks, checkins

    def _errors(self):
        family = CounterMetricFamily(
            "breather_api_errors", "Helpdesk API errors, by source, stream and kind.",
            labels=["source", "stream", "kind"])
        for parts, value in self._counts(keys.ERROR_COUNTS):
            family.add_metric((parts + ["", "", ""])[:3], value)
        return family

    def _connectors(self):
        requests = CounterMetricFamily(
            "breather_connector_requests", "HTTP responses helpdesk APIs gave, by source and "
            "status.", labels=["source", "status"])
        for parts, value in self._counts(stats.REQUESTS):
            requests.add_metric(parts, value)
        limited = CounterMetricFamily(
            "breather_connector_rate_limited", "Responses that were 429 Too Many Requests.",
            labels=["source"])
        counted = {parts[0]: value for parts, value in self._counts(stats.RATE_LIMITED)}
        for source in sorted(set(self.settings.sources) | set(counted)):
            limited.add_metric([source], counted.get(source, 0))  # 0 until the first 429
        return requests, limited

    def _poll_lag(self):
        family = GaugeMetricFamily(
            "breather_poll_lag_seconds", "How far each stream's bookmark is behind the wall "
            "clock.", labels=["source", "stream"])
        for source, streams in STREAMS.items():
            for stream in streams:
                try:
                    saved = bookmarks.get_bookmark(self.redis, source, stream) or {}
                    position = float(saved.get("position") or 0)
                except (bookmarks.CorruptValue, TypeError, ValueError):
                    continue  # the poller reports a corrupt bookmark; a scrape must not fail
                if position:
                    family.add_metric([source, stream],
                                      round(max(0.0, time.time() - position), 3))
        return family

    def _pollers(self):
        family = GaugeMetricFamily(
            "breather_poller_up", "1 while a stream's poll runs on schedule, 0 once it stopped "
            "(no run for BREATHER_POLLER_STALE_SECONDS).", labels=["source", "stream"])
        for poller in health.pollers(self.redis, self.settings, STREAMS):
            family.add_metric([poller["source"], poller["stream"]], 1 if poller["up"] else 0)
        return family

    def _queue(self):
        from rq import Queue

        queue = Queue(self.settings.queue_name, connection=self.redis)
        registries = {"started": queue.started_job_registry,
                      "deferred": queue.deferred_job_registry,
                      "scheduled": queue.scheduled_job_registry,
                      "failed": queue.failed_job_registry}
        family = GaugeMetricFamily(
            "breather_queue_jobs", "Jobs in Breather's RQ queue, by state.", labels=["state"])
        family.add_metric(["queued"], queue.count)
        for state in QUEUE_STATES[1:]:
            family.add_metric([state], registries[state].count)
        return family

    def _latencies(self):
        for name in stats.LATENCIES:
            stored = {k.decode(): float(v)
                      for k, v in self.redis.hgetall(stats.latency_key(name)).items()}
            family = HistogramMetricFamily(
                f"breather_{name}_duration_seconds",
                f"Time a {name} batch took, measured inside the job.", labels=[])
            family.add_metric([], cumulative(stored, stats.LATENCY_BUCKETS),
                              sum_value=stored.get("sum", 0.0))
            yield family

    def _teams(self, views: list[dict], pool: TeamPool):
        summaries = agents.team_summaries(views, self.settings.min_group_size)
        members: dict[str, list[dict]] = {}
        for view in views:
            members.setdefault(pool.label(view["team"]), []).append(view)
        gauges = {name: GaugeMetricFamily(name, doc, labels=labels) for name, doc, labels in (
            ("breather_team_agents", "Agents per team at each strain level.", ["team", "level"]),
            ("breather_team_strain_mean", "Mean strain index (0-100) of a team's agents.",
             ["team"]),
            ("breather_team_strain_percentile", "Strain index (0-100) of a team's agents at the "
             "50th and 90th percentile.", ["team", "percentile"]),
            ("breather_team_hostile_messages_24h", "Hostile customer messages in the last 24 h.",
             ["team"]),
            ("breather_team_wins_today", "Customer thank-yous (praise) today.", ["team"]),
            ("breather_team_exposure_gini", "How unevenly this week's hostile exposure is "
             "spread over a team (Gini, 0 = even, 1 = one person takes all).", ["team"]),
        )}
        for team, summary in sorted(summaries.items()):
            strains = sorted(m["strain"] for m in members[team])
            for level, count in summary["levels"].items():
                gauges["breather_team_agents"].add_metric([team, level], count)
            gauges["breather_team_strain_mean"].add_metric([team], round(summary["mean_strain"],
                                                                         2))
            for q in QUANTILES:
                gauges["breather_team_strain_percentile"].add_metric(
                    [team, str(round(q * 100))], quantile(strains, q))
            gauges["breather_team_hostile_messages_24h"].add_metric(
                [team], summary["hostile_messages"])
            gauges["breather_team_wins_today"].add_metric([team], summary["praise_today"])
            gauges["breather_team_exposure_gini"].add_metric(
                [team], exposure_gini([float(m.get("exposure_week", 0)) for m in members[team]]))
        return gauges.values()

    def _evidence(self):
        """The do-breaks-help readings: a histogram of the change (its buckets go below zero,
        so it carries no _sum), the number of readings and their summed change."""
        labels = ["team", "kind", "outcome", "after_minutes", "start_level"]
        family = HistogramMetricFamily(
            "breather_suggestion_strain_change",
            "Change of strain index 30 and 60 min after a break or cool-down was offered, by "
            "team, kind, answer and starting level (an observation, not proof).", labels=labels)
        readings = CounterMetricFamily(
            "breather_suggestion_followup_readings", "Strain readings taken 30 and 60 min "
            "after a break or cool-down was offered.", labels=labels)
        summed = GaugeMetricFamily(
            "breather_suggestion_followup_strain_change_points", "Summed change of strain "
            "index over those readings (divide by the readings for the mean).", labels=labels)
        for group, stored in sorted(evidence.read_histograms(self.redis).items()):
            buckets = cumulative(stored, evidence.CHANGE_BUCKETS)
            family.add_metric(list(group), buckets, sum_value=None)
            readings.add_metric(list(group), buckets[-1][1])
            summed.add_metric(list(group), round(stored.get("sum", 0.0), 3))
        return family, readings, summed

    def _per_agent(self, views: list[dict]):
        mode = self.settings.per_agent_metrics
        if mode == "off":
            return
        family = GaugeMetricFamily(
            "breather_agent_strain", f"Strain index per agent ({mode}; opt-in, see "
            "docs/privacy.md).", labels=["agent"])
        for view in views:
            family.add_metric([agent_label(view["agent"], mode, self.settings.secret)],
                              view["strain"])
        yield family


def agent_label(agent: str, mode: str, secret: str) -> str:
    """The agent id itself (named) or a stable salted hash of it (pseudonymous)."""
    if mode == "named":
        return agent
    return hmac.new(secret.encode(), f"metrics|{agent}".encode(), hashlib.sha256).hexdigest()[:12]


def cumulative(stored: dict[str, float], bounds: tuple[float, ...]) -> list[tuple[str, float]]:
    """Prometheus buckets (cumulative, ending in +Inf) from non-cumulative stored counts."""
    buckets, total = [], 0.0
    for bound in [repr(b) for b in bounds] + ["+Inf"]:
        total += stored.get(bound, 0.0)
        buckets.append((bound, total))
    return buckets


def pool_teams(family: Metric, pool: TeamPool) -> Metric:
    """The one place small teams are pooled: every sample with a `team` label passes here.

    Counts (counters, histograms, gauges not in NON_ADDITIVE) of teams below the minimum group
    size are summed into the "small teams" series. A non-additive value (a mean, a quantile, an
    index) cannot be summed, so it must already have been computed over the pooled group; one
    that still names a small team is dropped rather than shown (fail closed).
    """
    if not any("team" in sample.labels for sample in family.samples):
        return family
    additive = family.type != "gauge" or family.name not in NON_ADDITIVE
    merged: dict[tuple, float] = {}
    order: dict[tuple, Sample] = {}
    for sample in family.samples:
        team = sample.labels.get("team")
        label = team if team is None else pool.label(team)
        if team is not None and label != team and not additive:
            continue
        labels = {**sample.labels, **({"team": label} if team is not None else {})}
        key = (sample.name, tuple(sorted(labels.items())))
        merged[key] = merged.get(key, 0.0) + sample.value
        order.setdefault(key, sample._replace(labels=labels))
    family.samples = [order[key]._replace(value=value) for key, value in merged.items()]
    return family


def registry_for(redis, settings) -> CollectorRegistry:
    """A registry holding only Breather's collector (no process metrics of the web worker)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BreatherCollector(redis, settings))
    return registry


@bp.get("/metrics")
def metrics():
    breather = get_breather()
    registry = registry_for(breather.redis, breather.settings)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
