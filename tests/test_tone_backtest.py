"""bench.tone_backtest: an earlier revision's scorer, run from git as it shipped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench.tone_backtest import ROOT, RevisionError, compare, revision_scorer
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
