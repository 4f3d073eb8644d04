"""`breather replay` as a subprocess: suggestions as JSON lines, then each agent's final state."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "docs/samples/replay-week.jsonl"


def replay(path_or_dash: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", "replay", path_or_dash],
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_sample_week_gives_suggestions_and_final_states():
    result = replay(str(SAMPLE))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    suggestions = [r for r in rows if "kind" in r]
    finals = [r for r in rows if r.get("final")]
    assert {"at", "agent", "kind", "reason"} <= set(suggestions[0])
    assert {s["kind"] for s in suggestions} >= {"cool_down", "break", "checkin", "handoff", "wins"}
    assert len(finals) == 6
    assert all({"agent", "strain", "level", "factors"} <= set(f) for f in finals)
    assert rows.index(finals[0]) == len(suggestions)  # final states come last


def test_hostile_burst_brings_a_cool_down_for_that_agent():
    lines = [{"type": "message", "at": f"2026-11-02T09:{m:02d}:00Z", "agent": "zendesk:7",
              "team": "billing", "ticket": "81", "id": f"c{m}", "from": "customer",
              "text": "You people are useless!!! I will call my LAWYER. WHERE IS MY REFUND?!"}
             for m in range(0, 10, 2)]
    result = replay("-", "".join(json.dumps(line) + "\n" for line in lines))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["kind"] == "cool_down" and rows[0]["agent"] == "zendesk:7"
    assert rows[-1]["hostile_24h"] == 5


def test_bad_lines_are_named_and_the_rest_replayed():
    stdin = ('{"type": "message", "at": "2026-11-02T09:00:00Z", "agent": "a", "from": "customer",'
             ' "text": "hi"}\nnope\n{"type": "dance", "at": "2026-11-02T09:00:00Z", "agent": "a"}\n'
             '{"type": "checkin", "at": "yesterday", "agent": "a", "value": 3}\n')
    result = replay("-", stdin)
    assert result.returncode == 1
    for number in (2, 3, 4):
        assert f"line {number}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["agent"] == "a"


def test_the_order_of_lines_does_not_change_the_replay():
    """Shuffled input lines give byte-identical output (ties broken like the model's)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    random.Random(7).shuffle(lines)
    shuffled = replay("-", "\n".join(lines) + "\n")
    assert shuffled.returncode == 0, shuffled.stderr
    assert shuffled.stdout == replay(str(SAMPLE)).stdout


def test_a_checkin_out_of_range_is_named():
    stdin = ('{"type": "checkin", "at": "2026-11-02T09:00:00Z", "agent": "a", "value": 9}\n'
             '{"type": "checkin", "at": "2026-11-02T09:05:00Z", "agent": "a", "value": 2}\n')
    result = replay("-", stdin)
    assert result.returncode == 1
    assert "line 1:" in result.stderr and "1 to 5" in result.stderr
    assert "line 2" not in result.stderr


def burst_and_a_later_event() -> str:
    burst = [{"type": "message", "at": f"2026-11-02T09:{m:02d}:00Z", "agent": "zendesk:7",
              "team": "billing", "ticket": "81", "id": f"c{m}", "from": "customer",
              "text": "You people are useless!!! I will call my LAWYER. WHERE IS MY REFUND?!"}
             for m in range(0, 10, 2)]
    later = {"type": "message", "at": "2026-11-02T13:00:00Z", "agent": "zendesk:8",
             "team": "billing", "ticket": "82", "id": "n1", "from": "customer",
             "text": "Hi, could you tell me how to change my billing address? Thanks"}
    return "".join(json.dumps(line) + "\n" for line in [*burst, later])


def test_final_states_are_at_the_end_of_the_replayed_history():
    """An agent whose burst ended at 09:08 is reported at 13:00, when the file ends."""
    result = replay("-", burst_and_a_later_event())
    finals = {r["agent"]: r for r in map(json.loads, result.stdout.splitlines())
              if r.get("final")}
    burst = finals["zendesk:7"]
    assert burst["at"].startswith("2026-11-02T13:00")
    assert not any("5 hostile" in factor for factor in burst["factors"]), burst["factors"]
    assert burst["hostile_24h"] == 5  # still within the day


def test_summary_counts_suggestions_per_day_and_team_without_agent_ids():
    result = subprocess.run([sys.executable, "-m", "service.cli", "replay", "--summary",
                             str(SAMPLE)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BREATHER_MIN_GROUP_SIZE": "2"})
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    full = [json.loads(line) for line in replay(str(SAMPLE)).stdout.splitlines()]
    made = [r for r in full if "kind" in r]
    assert sum(r["total"] for r in rows) == len(made)
    assert {r["day"] for r in rows} == {r["at"][:10] for r in made}
    assert all(set(r) == {"day", "team", "agents", "suggestions", "total"} for r in rows)
    assert "zendesk:" not in result.stdout and '"agent"' not in result.stdout
    pooled = subprocess.run([sys.executable, "-m", "service.cli", "replay", "--summary",
                             str(SAMPLE)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BREATHER_MIN_GROUP_SIZE": "50"})
    assert {json.loads(line)["team"] for line in pooled.stdout.splitlines()} == {"small teams"}
