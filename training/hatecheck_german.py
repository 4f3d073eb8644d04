"""Build data/ood/hatecheck_german.jsonl, the independent German validation set.

`python -m training.hatecheck_german "MHC Final Cases/hatecheck_cases_final_german.csv"`

Source: Multilingual HateCheck (Röttger, Seelawi, Nozza, Talat, Vidgen; WOAH 2022), German
test cases, CC BY 4.0 (the LICENSE of its public repository): 3,645 short German sentences
written and labelled by native speakers in 2022, by other people, at another time and for
another purpose than GermEval-2018's tweets. Training never reads this file.

HateCheck labels hate against protected groups; Breather flags hostility (GermEval-2018's
OFFENSE: insults, abuse, profanity aimed at someone). The labels are mapped per functionality:
every hateful case is hostile; abuse aimed at a person or a non-protected group ("Ich hasse
dich.", "Ich verachte Bauarbeiter.") is hostile too; hating an object ("Ich hasse Pizza."),
neutral or positive mentions of a group, negated hate and quoted hate that is denounced are not.
Two functionalities are left out as neither: profanity without a target ("Das ist eine
scheißgute Idee.": GermEval would call it offensive, a helpdesk would not call it hostile) and
counter-speech addressed at the speaker ("Zu sagen, dass du Frauen hasst, zeigt was alles bei
dir falsch läuft.": it reproaches the person).

Each case keeps its template; templates are split by a hash into a "choose" half (thresholds and
other choices may be made there) and a "report" half (only measured), so that no sentence
pattern is on both sides.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "ood" / "hatecheck_german.jsonl"
NOT_HOSTILE = {"target_obj_nh", "ident_neutral_nh", "ident_pos_nh", "negate_neg_nh",
               "counter_quote_nh"}
HOSTILE_TOO = {"target_indiv_nh", "target_group_nh"}
LEFT_OUT = {"profanity_nh", "counter_ref_nh", "slur_reclaimed_nh", "slur_homonym_nh"}


def hostile(functionality: str, gold: str) -> bool | None:
    """The label in Breather's sense, or None for a case left out."""
    if functionality in LEFT_OUT:
        return None
    if functionality in NOT_HOSTILE:
        return False
    return gold == "hateful" or functionality in HOSTILE_TOO


def part(template_id: str) -> str:
    """'choose' or 'report', by the template's hash (stable across runs and machines)."""
    return "choose" if hashlib.sha256(template_id.encode("utf-8")).digest()[0] % 2 else "report"


def build(source: Path, out: Path = OUT) -> dict:
    rows = []
    with source.open(encoding="utf-8", newline="") as handle:
        for case in csv.DictReader(handle):
            label = hostile(case["functionality"], case["label_gold"])
            if label is None:
                continue
            rows.append({"text": case["test_case"], "hostile": label,
                         "functionality": case["functionality"],
                         "part": part(case["templ_id"])})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    return {"rows": len(rows), "hostile": sum(r["hostile"] for r in rows),
            "report": sum(r["part"] == "report" for r in rows)}


def load(path: Path = OUT, which: str | None = None) -> list[dict]:
    """The cases, all or one part ('choose' or 'report')."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if which is None or r["part"] == which]


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1])), indent=2))
