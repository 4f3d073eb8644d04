"""bench.tone_backtest: an earlier revision's scorer, run from git as it shipped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.tone_backtest import (
    ROOT,
    RevisionError,
    SetError,
    compare,
    external_set,
    revision_scorer,
)
from workers.tone import score

TEXTS = ["Ihr seid doch alle Vollidioten!", "Danke, das Paket ist angekommen.",
         "WHERE IS MY REFUND?!?! Absolutely useless service."]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=test",
                           "-c", "user.email=test@example.invalid", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, str, str]:
    """A repository with today's `workers/` (first commit) and a scorer that says 0.123 for
    every text (second commit)."""
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "workers", repo / "workers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    _git(repo, "init", "-q")
    _git(repo, "add", "workers")
    _git(repo, "commit", "-q", "-m", "today")
    today = _git(repo, "rev-parse", "HEAD")
    with (repo / "workers" / "tone" / "__init__.py").open("a", encoding="utf-8") as module:
        module.write("\n\ndef score(texts):\n    return [Tone(0.123, 0.0, 'en', False, ())"
                     " for _ in texts]\n")
    _git(repo, "commit", "-q", "-am", "another scorer")
    return repo, today, _git(repo, "rev-parse", "HEAD")


def test_a_revision_scores_as_it_shipped(repo, tmp_path: Path):
    root, today, _ = repo
    then = revision_scorer(today, tmp_path / "today", root)(TEXTS)
    assert [t.anger for t in then] == pytest.approx([t.anger for t in score(TEXTS)], abs=1e-5)


def test_the_revision_code_runs_not_the_checkout(repo, tmp_path: Path):
    root, _, other = repo
    assert [t.anger for t in revision_scorer(other, tmp_path / "other", root)(TEXTS)] == [
        0.123] * len(TEXTS)


def test_an_unknown_revision_is_named(repo, tmp_path: Path):
    root, *_ = repo
    with pytest.raises(RevisionError, match="'no-such-revision'"):
        revision_scorer("no-such-revision", tmp_path / "x", root)


def test_compare_gives_each_change():
    then = {"a": {"auc": 0.70, "macro_f1": 0.60}, "b": 0.5}
    now = {"a": {"auc": 0.75, "macro_f1": 0.58}, "b": 0.6}
    changes = compare(then, now)
    assert (changes["a"]["auc_change"], changes["a"]["macro_f1_change"]) == (0.05, -0.02)
    assert changes["b"]["auc_change"] == 0.1


def _jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_set_kept_outside_the_repository_is_read(tmp_path: Path):
    path = _jsonl(tmp_path / "s.jsonl", json.dumps({"text": "Ihr Stümper!", "hostile": True}),
                  "", json.dumps({"text": "Danke!", "hostile": False, "id": 7}))
    name, rows = external_set(f"toxic={path}")
    assert name == "toxic"
    assert [(r["text"], r["hostile"]) for r in rows] == [("Ihr Stümper!", True), ("Danke!", False)]


@pytest.mark.parametrize(("lines", "message"), [
    (['{"text": "a", "hostile": true}', "{oops"], "line 2: not valid JSON"),
    (['{"text": "a", "hostile": "yes"}'], 'line 1 needs a string "text"'),
    (['["a list"]'], "line 1: expected a JSON object"),
    (['{"hostile": true}'], 'line 1 needs a string "text"'),
    (['{"text": "a", "hostile": true}', '{"text": "b", "hostile": true}'], "hostile and calm"),
])
def test_a_bad_set_is_named_with_its_line(tmp_path: Path, lines, message):
    path = _jsonl(tmp_path / "bad.jsonl", *lines)
    with pytest.raises(SetError, match=message) as caught:
        external_set(f"mine={path}")
    assert "--set mine" in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize("spec", ["no-equals-sign", "=x.jsonl", "name="])
def test_a_set_needs_a_name_and_a_path(spec):
    with pytest.raises(SetError, match="expected NAME=PATH"):
        external_set(spec)


def test_the_command_names_a_bad_set_without_a_traceback(tmp_path: Path):
    missing = tmp_path / "missing.jsonl"
    result = subprocess.run([sys.executable, "-m", "bench.tone_backtest", "--set",
                             f"gone={missing}"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.startswith(f"bench.tone_backtest: --set gone: cannot read {missing}")
    assert "Traceback" not in result.stderr


def test_a_line_that_is_not_utf8_is_named(tmp_path: Path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "gut", "hostile": false}\n{"text": "M\xfcll", "hostile": true}\n')
    with pytest.raises(SetError, match="line 2: not valid UTF-8"):
        external_set(f"latin1={path}")
