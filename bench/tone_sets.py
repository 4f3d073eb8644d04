"""The shipped scorer on the two sets training never reads: `python -m bench.tone_sets`.

- German, out of distribution: Multilingual HateCheck's German cases (CC BY 4.0), relabelled
  for hostility (training/hatecheck_german.py says how), split by template into a "choose"
  half and a "report" half. Written in 2022 by other people than GermEval-2018's tweets, in
  another register (short sentences aimed at people and groups).
- German, natural, from elsewhere: data/ood/harmful_german.jsonl, 3,263 tweets and comments of
  2014-2016 from GermEval 2025/26's harmful-content task (GPL-3.0; training/harmful_german.py
  says how it was built): the AUC of the organisers' defamation label on all of them, and
  the figures of Breather's own hostility label on a sample of 600, read by two annotators.
- Customer service: data/helpdesk/customer_service_dev.jsonl, 200 e-mails to companies in
  English and German written for Breather (angry, insulting, threatening, sarcastic, against
  requests, polite complaints and cancellations, thanks), also split into two halves.

Every text goes through `workers.tone.score` as a message would (cleaning, language, cues,
helpdesk boost); hostile means `anger >= 0.5`. Needs no training data; takes seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from training.threshold import CUSTOMER_SERVICE, HARMFUL, HATECHECK  # the sets' one place


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def figures(rows: list[dict], anger: np.ndarray) -> dict:
    from sklearn.metrics import f1_score, roc_auc_score

    y = np.array([r["hostile"] for r in rows])
    return {"rows": len(rows), "hostile": int(y.sum()),
            "auc": round(float(roc_auc_score(y, anger)), 3),
            "macro_f1": round(float(f1_score(y, anger >= 0.5, average="macro")), 3),
            "recall_hostile": round(float((anger[y] >= 0.5).mean()), 3),
            "false_alarms": round(float((anger[~y] >= 0.5).mean()), 3)}


def by_part(rows: list[dict], anger: np.ndarray) -> dict:
    """Figures on the report half (never used for a choice), the choose half, and all."""
    parts = np.array([r["part"] for r in rows])
    return {name: figures([r for r, keep in zip(rows, mask, strict=True) if keep], anger[mask])
            for name, mask in (("report", parts == "report"), ("choose", parts == "choose"),
                               ("all", np.ones(len(rows), bool)))}


def german_ood(score: Callable) -> dict:
    rows = _rows(HATECHECK)
    return {**by_part(rows, np.array([t.anger for t in score([r["text"] for r in rows])])),
            "command": "python -m bench.tone_sets"}


def german_natural(score: Callable) -> dict:
    """Natural German tweets of 2014-2016: the defamation label's AUC per half, and the
    hostility figures on the relabelled sample."""
    from sklearn.metrics import roc_auc_score

    rows = _rows(HARMFUL)
    anger = np.array([t.anger for t in score([r["text"] for r in rows])])
    parts = np.array([r["part"] for r in rows])
    defamation = np.array([r["defamation"] for r in rows])
    auc = {name: round(float(roc_auc_score(defamation[mask], anger[mask])), 3)
           for name, mask in (("report", parts == "report"), ("choose", parts == "choose"),
                              ("all", np.ones(len(rows), bool)))}
    sample = [i for i, r in enumerate(rows) if "hostile" in r]
    return {"defamation_auc": auc, "defamations": int(defamation.sum()),
            "hostile_sample": by_part([rows[i] for i in sample], anger[sample]),
            "command": "python -m bench.tone_sets"}


def customer_service(score: Callable) -> dict:
    rows = _rows(CUSTOMER_SERVICE)
    anger = np.array([t.anger for t in score([r["text"] for r in rows])])
    langs = np.array([r["lang"] for r in rows])
    return {**{lang: by_part([r for r, keep in zip(rows, langs == lang, strict=True) if keep],
                             anger[langs == lang]) for lang in ("en", "de")},
            "command": "python -m bench.tone_sets"}


def main() -> None:
    from workers.tone import score

    print(json.dumps({"german_ood_hatecheck": german_ood(score),
                      "german_natural_harmful": german_natural(score),
                      "customer_service": customer_service(score)}, indent=2))


if __name__ == "__main__":
    main()
