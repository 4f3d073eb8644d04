"""Build data/ood/harmful_german.jsonl, natural German from other people and another time.

`python -m training.harmful_german GermEval2026/data/def/def_train.csv`

Source: the GermEval 2025/2026 shared task "Harmful Content Detection in Social Media"
(Communication-Forensics-Lab/harmful-content-detection, GPL-3.0), subtask 4's training file:
3,263 German tweets and Facebook comments of a right-wing extremist movement's network,
12/2014 to 07/2016, collected and annotated at Mittweida University of Applied Sciences (with
ZITiS) for defamatory offences under sections 185-187 of the German Criminal Code. Other
people, another time, another platform mix and other annotation guidelines than
GermEval-2018's tweets; training never learns from it.

Two labels per text:
- `defamation`: the organisers' label, a criminal insult or defamation of a person. Much
  narrower than hostility: "so ekelhaft das ganze linke deutschland hassende pack" is not a
  defamation. Only its AUC is meaningful for Breather (does an insult of a person rank above
  the rest?), not a decision at Breather's threshold.
- `hostile`, on a sample of 600 texts only (the first 600 distinct texts by SHA-1 of their
  id): offensive in GermEval-2018's sense (insult, abuse, profanity, threat; the guide is
  data/ood/labels/GUIDE.md), read by annotators who saw no model score and no other
  annotator's labels: one read all 600, a second (the lead) read the first 100 again
  (agreement 90 %, Cohen's kappa 0.79; nine of the ten disagreements were texts the first
  had marked unsure). The majority of the readings decides and a tie goes to a third reading
  (`adjudicated.jsonl`); every annotator's own labels are kept in data/ood/labels/, and
  another annotator's file there joins the vote when the file is rebuilt.

Each text is in the "choose" half (error analysis and choices may look at it) or the "report"
half (only measured) by the parity of its id's SHA-1, the split used from the first look on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "ood" / "harmful_german.jsonl"
LABELS = ROOT / "data" / "ood" / "labels"
SAMPLE = 600


def digest(tweet_id: str) -> str:
    return hashlib.sha1(tweet_id.encode("utf-8")).hexdigest()


def part(tweet_id: str) -> str:
    """'choose' or 'report', by the parity of the id's SHA-1 (stable across machines)."""
    return "choose" if int(digest(tweet_id), 16) % 2 == 0 else "report"


def read_source(source: Path) -> list[tuple[str, str, bool]]:
    """(id, text, defamation) per distinct non-empty text, in the file's order."""
    seen, rows = set(), []
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        if [h.lower() for h in header[:3]] != ["id", "description", "def"]:
            raise SystemExit(f"{source}: expected the columns id;description;DEF, got {header}")
        for number, row in enumerate(reader, start=2):
            if len(row) != 3 or row[2] not in ("TRUE", "FALSE"):
                raise SystemExit(f"{source}, line {number}: expected id;text;TRUE|FALSE")
            text = row[1].strip()
            if text and text not in seen:
                seen.add(text)
                rows.append((row[0], text, row[2] == "TRUE"))
    return rows


def sample_ids(rows: list[tuple[str, str, bool]]) -> list[str]:
    """The relabelled sample: the first SAMPLE ids by SHA-1, in that order; an annotator's
    `n` (data/ood/labels/) is the position in this list."""
    return sorted((r[0] for r in rows), key=digest)[:SAMPLE]


def read_labels(path: Path) -> dict[int, bool]:
    """One annotator's labels by sample position `n` (an annotator may cover part of it)."""
    labels = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            n, offensive = int(entry["n"]), entry["offensive"]
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit(f"{path}, line {number}: not a label line ({error})") from None
        if offensive not in (0, 1) or not 0 <= n < SAMPLE:
            raise SystemExit(f"{path}, line {number}: needs 0 <= n < {SAMPLE}, offensive 0 or 1")
        labels[n] = bool(offensive)
    return labels


def decide(votes: list[bool], adjudicated: bool | None) -> bool:
    """The majority of the annotators; a tie goes to the adjudicating third reading."""
    yes = sum(votes)
    if 2 * yes != len(votes):
        return 2 * yes > len(votes)
    if adjudicated is None:
        raise SystemExit("a tie between annotators has no adjudicated label")
    return adjudicated


def build(source: Path, labels: Path = LABELS, out: Path = OUT) -> dict:
    rows = read_source(source)
    annotators = [read_labels(path) for path in sorted(labels.glob("annotator_*.jsonl"))]
    third = read_labels(labels / "adjudicated.jsonl")
    position = {tweet_id: n for n, tweet_id in enumerate(sample_ids(rows))}
    written = []
    for tweet_id, text, defamation in rows:
        row = {"text": text, "defamation": defamation, "part": part(tweet_id)}
        n = position.get(tweet_id)
        if n is not None:
            votes = [a[n] for a in annotators if n in a]
            if not votes:
                raise SystemExit(f"sample text {n} has no annotator label")
            row["votes"] = [sum(votes), len(votes)]
            row["hostile"] = decide(votes, third.get(n))
        written.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in written),
                   encoding="utf-8")
    sample = [r for r in written if "hostile" in r]
    return {"rows": len(written), "defamation": sum(r["defamation"] for r in written),
            "relabelled": len(sample), "hostile": sum(r["hostile"] for r in sample),
            "read_twice": sum(r["votes"][1] >= 2 for r in sample),
            "readings_agree": sum(r["votes"][1] >= 2 and r["votes"][0] in (0, r["votes"][1])
                                  for r in sample)}


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1])), indent=2))
