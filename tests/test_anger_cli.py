"""`breather anger` as a real subprocess: JSON lines in, JSON lines out, errors by line number."""

from __future__ import annotations

import json
import subprocess
import sys
import time


def run(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", "anger"], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_scores_each_line_in_order():
    lines = [{"id": i, "text": t} for i, t in enumerate(
        ["WHERE IS MY REFUND?!?! Useless!!", "Could you resend the invoice?",
         "Vielen Dank, super Service!"])]
    result = run("".join(json.dumps(line) + "\n" for line in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [0, 1, 2]
    assert set(out[0]) == {"id", "anger", "praise", "lang", "hostile", "cues"}
    assert out[0]["hostile"] and not out[1]["hostile"]
    assert out[2]["lang"] == "de" and out[2]["praise"] >= 0.5


def test_malformed_lines_are_reported_and_skipped():
    stdin = ('{"id": 1, "text": "fine"}\nnot json\n{"id": 3}\n[1, 2]\n'
             '{"id": 5, "text": 7}\n{"id": 6, "text": "also fine"}\n')
    result = run(stdin)
    assert result.returncode == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, 6]
    for number in (2, 3, 4, 5):
        assert f"line {number}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_streams_before_end_of_input():
    """A line is answered while stdin is still open: a pipe is not held back to a full batch."""
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "anger"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        process.stdin.write('{"id": "a", "text": "hello"}\n')
        process.stdin.flush()
        deadline = time.monotonic() + 60
        line = process.stdout.readline() if time.monotonic() < deadline else ""
        assert json.loads(line)["id"] == "a"
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert process.returncode == 0


def test_invalid_utf8_line_is_named_not_a_crash():
    stdin = b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "\xff\xfe"}\n{"id": 3, "text": "ok"}\n'
    result = subprocess.run([sys.executable, "-m", "service.cli", "anger"], input=stdin,
                            capture_output=True, timeout=120)
    assert result.returncode == 1
    assert b"line 2: not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, 3]
