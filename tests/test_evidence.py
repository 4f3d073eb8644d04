"""Do breaks help? Readings 30 and 60 min after an offer, pooled teams, `breather evidence`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from seed import team_records

from workers import evidence, strain
from workers.process import apply_records
from workers.suggestion_store import answer, apply_events, current_suggestion

HIT = "zendesk:101"


def offer_and_answer(redis, agent: str, response: str) -> tuple[dict, float]:
    now = float(redis.zscore("breather:clock", "latest"))
    offer = current_suggestion(redis, agent, now)
    assert offer["kind"] in evidence.KINDS
    answer(redis, agent, offer["id"], response, now)
    return offer, now


def state_of(redis, agent: str) -> strain.AgentState:
    return strain.loads(redis.get(f"breather:strain:{agent}"))


def test_readings_are_taken_from_the_state_before_newer_events(redis):
    """The 30- and 60-min readings equal the strain at those times, not at the next event."""
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    offer, at = offer_and_answer(redis, HIT, "accept")
    start = strain.assess(state_of(redis, HIT), at).strain
    before_40 = state_of(redis, HIT)
    apply_events(redis, HIT, [strain.Event("break_end", at + 40 * 60, HIT)])
    before_70 = state_of(redis, HIT)
    apply_events(redis, HIT, [strain.Event("assigned", at + 70 * 60, HIT, ticket="t9")])
    stored = evidence.read_histograms(redis)
    group = ("Billing", offer["kind"], "accepted")
    level = strain.assess(before_40, at).level
    after_30 = stored[(*group, "30", level)]["sum"]
    after_60 = stored[(*group, "60", level)]["sum"]
    assert after_30 == pytest.approx(strain.assess(before_40, at + 30 * 60).strain - start)
    assert after_60 == pytest.approx(strain.assess(before_70, at + 60 * 60).strain - start)
    assert not redis.exists(evidence.followup_key(offer["id"]))  # the agent's record is gone


def test_an_offer_nobody_answers_counts_as_unanswered(redis):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    now = float(redis.zscore("breather:clock", "latest"))
    current_suggestion(redis, HIT, now)
    assert evidence.resolve_due(redis, now + 31 * 60) == 1
    [(team, kind, outcome, after, level)] = evidence.read_histograms(redis)
    assert (team, outcome, after) == ("Billing", "unanswered", "30")


def test_summary_pools_small_teams_and_compares_at_the_same_start(redis):
    histograms = {("Tiny", "break", "accepted", "30", "high"): {"-10.0": 12, "sum": -120.0},
                  ("Billing", "break", "declined", "30", "high"): {"0.0": 10, "sum": -20.0},
                  ("Tiny", "break", "unanswered", "30", "high"): {"5.0": 2, "sum": 8.0}}
    rows = evidence.summarise(histograms, lambda team: "small teams" if team == "Tiny" else team)
    assert [r["team"] for r in rows] == ["Billing", "small teams"]
    pooled = rows[1]
    assert pooled["accepted"] == {"n": 12, "mean_change": -10.0}
    assert pooled["not_taken"] == {"n": 2, "mean_change": 4.0}
    assert pooled["difference"] is None  # two readings are too few to compare


def test_evidence_command_prints_sizes_and_the_warning_without_agents(redis, redis_url):
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    offer_and_answer(redis, HIT, "decline")
    now = float(redis.zscore("breather:clock", "latest"))
    apply_events(redis, HIT, [strain.Event("assigned", now + 61 * 60, HIT, ticket="t9")])
    env = {**os.environ, "REDIS_URL": redis_url, "BREATHER_CLOCK": "data"}
    run = [sys.executable, "-m", "service.cli", "evidence"]
    data = json.loads(subprocess.run([*run, "--json"], env=env, capture_output=True, text=True,
                                     timeout=60, check=True).stdout)
    assert "not proof" in data["warning"]
    assert {(r["team"], r["after_minutes"], r["not_taken"]["n"]) for r in data["rows"]} == {
        ("Billing", 30, 1), ("Billing", 60, 1)}
    text = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60).stdout
    assert "not proof" in text and "n=1" in text and "zendesk:" not in text


def test_the_process_job_takes_readings_before_a_page_moves_the_state_on(redis):
    """A page of messages 40 min after the offer: the 30-min reading is the strain at 30 min."""
    apply_records(redis, team_records(team="Billing", agents=6, hostile_for=2))
    offer, at = offer_and_answer(redis, HIT, "decline")
    start = strain.assess(state_of(redis, HIT), at).strain
    before = state_of(redis, HIT)
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at + 40 * 60))
    apply_records(redis, [{"kind": "message", "source": "zendesk", "id": "zendesk:late-1",
                           "ticket": "zendesk:1001", "author": "zendesk:91", "from": "customer",
                           "public": True, "at": later, "text": "Any news on my refund?"}])
    level = strain.assess(before, at).level
    stored = evidence.read_histograms(redis)[("Billing", offer["kind"], "declined", "30", level)]
    assert stored["sum"] == pytest.approx(strain.assess(before, at + 30 * 60).strain - start)
