"""Prometheus metrics, computed at scrape time from Redis by a custom collector.

RQ forks a process per job, so counters incremented inside jobs would be lost or need
multiprocess files; instead jobs HINCRBY counters in Redis and this collector reads them. Labels
are bounded (source, team, tone, level); per-agent series only when
BREATHER_PER_AGENT_METRICS is on.
"""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.samples import Sample

from service import get_breather
from workers import agents, keys
from workers.clock import current_time
from workers.pooling import TeamPool

bp = Blueprint("metrics", __name__)

# gauges that are not sums over agents: computed over pooled groups, never summed
NON_ADDITIVE = {"breather_team_strain_mean"}


class BreatherCollector:
    """Yields Breather's metric families from Redis on every scrape."""

    def __init__(self, redis, settings):
        self.redis = redis
        self.settings = settings

    def collect(self):
        now = current_time(self.redis, self.settings.clock)
        views = agents.all_views(self.redis, now)
        pool = TeamPool.from_teams((view["team"] for view in views),
                                   self.settings.min_group_size)
        families = [self._messages(), self._corrections(), self._responses(),
                    *self._errors(), *self._teams(views), self._queue()]
        for family in families:
            yield pool_teams(family, pool)

    def _messages(self):
        family = CounterMetricFamily(
            "breather_customer_messages", "Customer messages scored, by tone.",
            labels=["source", "team", "tone"])
        for field, value in self.redis.hgetall(keys.MESSAGE_COUNTS).items():
            source, team, tone = field.decode().split("|", 2)
            family.add_metric([source, team, tone], int(value))
        return family

    def _corrections(self):
        family = CounterMetricFamily(
            "breather_score_corrections", "Scores agents marked wrong, by corrected tone.",
            labels=["corrected_to"])
        for field, value in self.redis.hgetall(keys.PREFIX + "stats:corrections").items():
            family.add_metric([field.decode()], int(value))
        return family

    def _responses(self):
        family = CounterMetricFamily(
            "breather_suggestion_responses",
            "Answers to suggestions, by kind and response (never per agent).",
            labels=["kind", "response"])
        for field, value in self.redis.hgetall(keys.PREFIX + "stats:responses").items():
            kind, _, response = field.decode().partition("|")
            family.add_metric([kind, response], int(value))
        return family

    def _errors(self):
        family = CounterMetricFamily(
            "breather_api_errors", "Helpdesk API errors, by source, stream and kind.",
            labels=["source", "stream", "kind"])
        for field, value in self.redis.hgetall(keys.PREFIX + "stats:errors").items():
            parts = (field.decode().split("|") + ["", "", ""])[:3]
            family.add_metric(parts, int(value))
        yield family

    def _teams(self, views: list[dict]):
        summaries = agents.team_summaries(views, self.settings.min_group_size)
        by_level = GaugeMetricFamily(
            "breather_team_agents", "Agents per team at each strain level (aggregate).",
            labels=["team", "level"])
        mean = GaugeMetricFamily(
            "breather_team_strain_mean", "Mean strain index (0-100) of a team's agents.",
            labels=["team"])
        hostile = GaugeMetricFamily(
            "breather_team_hostile_messages_24h", "Hostile customer messages in the last 24 h.",
            labels=["team"])
        for team, summary in sorted(summaries.items()):
            for level, count in summary["levels"].items():
                by_level.add_metric([team, level], count)
            mean.add_metric([team], round(summary["mean_strain"], 2))
            hostile.add_metric([team], summary["hostile_messages"])
        yield from (by_level, mean, hostile)
        if self.settings.per_agent_metrics:
            per_agent = GaugeMetricFamily(
                "breather_agent_strain", "Strain index per agent (opt-in).", labels=["agent"])
            for view in views:
                per_agent.add_metric([view["agent"]], view["strain"])
            yield per_agent

    def _queue(self):
        from rq import Queue

        queue = Queue(self.settings.queue_name, connection=self.redis)
        family = GaugeMetricFamily(
            "breather_queue_jobs", "Jobs in Breather's RQ queue, by state.", labels=["state"])
        family.add_metric(["queued"], queue.count)
        family.add_metric(["failed"], queue.failed_job_registry.count)
        return family


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
