"""Today's validation sets scored by an earlier revision's scorer and by today's:
`python -m bench.tone_backtest [--against REV]`.

Issue 14 measured Breather on independent German sets that are not in this repository, once,
at revision 816f734 (2026-11-25: macro-F1 0.710, AUC 0.778 there). Those sets cannot be scored
again here, but every set from elsewhere that we do have can be scored by that revision's
scorer and by today's: how far each has moved since is the best evidence of how far the
hidden one may have moved (docs/tone.md, "Sixth round", turns it into an estimate).

The earlier scorer runs as it shipped: its `workers/` package (code, model, word tables) is
taken from git (`git archive`) into a temporary folder and run there in a child process, with
nothing of today's checkout on its path. The data sets are today's (bench.tone_sets). Needs
the repository's history (a shallow clone lacks it: `git fetch --unshallow`). A minute or two.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from bench import tone_sets

ROOT = Path(__file__).resolve().parents[1]
ISSUE_14_REVISION = "816f734"  # the scorer issue 14's independent sets were measured with

# Run in the earlier revision's folder: texts (a JSON list) on stdin, anger scores out.
_CHILD = (
    "import json, sys\n"
    "from workers.tone import score\n"
    "texts = json.load(sys.stdin)\n"
    "json.dump([round(float(t.anger), 6) for t in score(texts)], sys.stdout)\n"
)


class RevisionError(ValueError):
    """The revision cannot be read from git, or its scorer failed."""


def checkout(revision: str, into: Path, root: Path = ROOT) -> None:
    """The revision's `workers/` package, unpacked into `into`."""
    result = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", revision,
                             "workers"], capture_output=True)
    if result.returncode != 0:
        raise RevisionError(
            f"git cannot read revision {revision!r} of {root}: "
            f"{result.stderr.decode(errors='replace').strip()} (a shallow clone lacks the "
            "history: git fetch --unshallow)")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        # the "data" filter (refuse links and paths out of `into`) exists from Python 3.11.4;
        # Debian 12's 3.11.2 extracts without it (the archive is our own git's)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(into, **safe)


def revision_scorer(revision: str, folder: Path, root: Path = ROOT) -> Callable:
    """A `score(texts)` that runs the revision's scorer (unpacked into `folder`) in a child
    process; each result has `.anger`, as bench.tone_sets reads it."""
    checkout(revision, folder, root)
    env = {**os.environ, "PYTHONPATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1"}

    def score(texts: list[str]) -> list[SimpleNamespace]:
        result = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps(texts).encode(),
                                capture_output=True, cwd=folder, env=env)
        if result.returncode != 0:
            tail = result.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise RevisionError(f"the scorer of revision {revision!r} failed: {tail}")
        return [SimpleNamespace(anger=anger) for anger in json.loads(result.stdout)]

    return score


def measured(score: Callable) -> dict:
    """Every set from elsewhere, as bench.tone_sets reports it, all rows of each."""
    natural = tone_sets.german_natural(score)
    emails = tone_sets.customer_service(score)
    return {"german_natural_relabelled": natural["hostile_sample"]["all"],
            "german_natural_defamation_auc": natural["defamation_auc"]["all"],
            "german_hatecheck": tone_sets.german_ood(score)["all"],
            "german_emails": emails["de"]["all"],
            "english_emails": emails["en"]["all"]}


def compare(then: dict, now: dict) -> dict:
    """Each set's figures then and now, and how much its AUC (and macro-F1) changed."""
    out = {}
    for name, before in then.items():
        after = now[name]
        if isinstance(before, dict):
            out[name] = {"then": before, "now": after,
                         "auc_change": round(after["auc"] - before["auc"], 3),
                         "macro_f1_change": round(after["macro_f1"] - before["macro_f1"], 3)}
        else:  # an AUC alone
            out[name] = {"then": before, "now": after, "auc_change": round(after - before, 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=ISSUE_14_REVISION,
                        help=f"the earlier revision (default {ISSUE_14_REVISION}, the scorer "
                             "issue 14 was measured with)")
    args = parser.parse_args()
    from workers.tone import score

    with tempfile.TemporaryDirectory(prefix="breather-backtest-") as folder:
        try:
            then = measured(revision_scorer(args.against, Path(folder)))
        except RevisionError as error:
            sys.exit(f"bench.tone_backtest: {error}")
    print(json.dumps({"against": args.against, "sets": compare(then, measured(score)),
                      "command": "python -m bench.tone_backtest"}, indent=2))


if __name__ == "__main__":
    main()
