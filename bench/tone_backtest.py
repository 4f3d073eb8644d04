"""Today's validation sets scored by an earlier revision's scorer and by today's:
`python -m bench.tone_backtest [--against REV] [--set NAME=PATH ...]`.

Issue 14 measured Breather on independent German sets that are not in this repository, once,
at revision 816f734 (2026-11-25: macro-F1 0.710, AUC 0.778 there). Those sets cannot be scored
again here, but every set from elsewhere that we do have can be scored by that revision's
scorer and by today's: how far each has moved since is the best evidence of how far the
hidden one may have moved (docs/tone.md, "Sixth round" and "Seventh round": sets that
steered earlier choices overstate it; `--set` adds sets kept outside the repository).

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

import numpy as np

from bench import tone_sets
from service.commands.jsonlines import parse_object, read_lines

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


class SetError(ValueError):
    """A labelled set given with --set that cannot be read; the message names what is wrong."""


def external_set(spec: str) -> tuple[str, list[dict]]:
    """`NAME=PATH`: a labelled set kept outside the repository (one whose licence does not let
    us ship it), JSON lines {"text": "...", "hostile": true|false}; docs/tone.md, "Seventh
    round", shows how GermEval-2021's and HASOC-2019's published training files become one."""
    name, _, path = spec.partition("=")
    if not name or not path:
        raise SetError(f"--set {spec!r}: expected NAME=PATH")
    try:
        with open(path, "rb") as stream:
            rows = [_labelled_row(name, path, number, line, error)
                    for number, line, error in read_lines(stream)]
    except OSError as error:
        raise SetError(f"--set {name}: cannot read {path}: {error}") from None
    if len({row["hostile"] for row in rows}) < 2:
        raise SetError(f"--set {name}: {path} needs hostile and calm texts (an AUC needs both)")
    return name, rows


def _labelled_row(name: str, path: str, number: int, line: str | None, error: str | None) -> dict:
    """One line of a --set file (read by the commands' JSON-lines reader), or SetError."""
    row = error or parse_object(line, number)
    if isinstance(row, str):
        raise SetError(f"--set {name}: {path} {row}")
    if not (isinstance(row.get("text"), str) and isinstance(row.get("hostile"), bool)):
        raise SetError(f"--set {name}: {path} line {number} needs a string \"text\" and a "
                       "true/false \"hostile\"")
    return row


def measured(score: Callable, extra: dict[str, list[dict]] | None = None) -> dict:
    """Every set from elsewhere, as bench.tone_sets reports it, all rows of each; then the
    sets given with --set."""
    natural = tone_sets.german_natural(score)
    emails = tone_sets.customer_service(score)
    figures = {"german_natural_relabelled": natural["hostile_sample"]["all"],
               "german_natural_defamation_auc": natural["defamation_auc"]["all"],
               "german_hatecheck": tone_sets.german_ood(score)["all"],
               "german_emails": emails["de"]["all"],
               "english_emails": emails["en"]["all"]}
    for name, rows in (extra or {}).items():
        anger = np.array([t.anger for t in score([row["text"] for row in rows])])
        figures[name] = tone_sets.figures(rows, anger)
    return figures


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
    parser.add_argument("--set", action="append", default=[], metavar="NAME=PATH",
                        help="also a labelled set kept outside the repository: JSON lines "
                             '{"text": ..., "hostile": true|false} (repeatable)')
    args = parser.parse_args()
    from workers.tone import score

    try:
        extra = dict(external_set(spec) for spec in args.set)
    except SetError as error:
        sys.exit(f"bench.tone_backtest: {error}")
    with tempfile.TemporaryDirectory(prefix="breather-backtest-") as folder:
        try:
            then = measured(revision_scorer(args.against, Path(folder)), extra)
        except RevisionError as error:
            sys.exit(f"bench.tone_backtest: {error}")
    print(json.dumps({"against": args.against, "sets": compare(then, measured(score, extra)),
                      "command": "python -m bench.tone_backtest"
                                 + "".join(f" --set {spec}" for spec in args.set)}, indent=2))


if __name__ == "__main__":
    main()
