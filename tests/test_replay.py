"""`breather replay` as a subprocess: suggestions as JSON lines, then each agent's final state."""

from __future__ import annotations

import json
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
