"""How often the scorer reads a text in the wrong language: `python -m bench.tone_lang`.

The language picks the anger head and its threshold (workers/tone/lang.py, decision 59), so a
German text read as English is scored by a head that knows no German. Every text goes through
`workers.tone.score`, as a message would; a text counts as misread when its `lang` is not the
set's language. Sets: GermEval-2018 (all 5,009 tweets, German), Multilingual HateCheck's German
cases by half, the customer-service e-mails (each e-mail's own language), GoEmotions' dev.tsv
(English; not in the trigram table) and train.tsv (English; in it). Needs the training data
(`--data DIR` or BREATHER_TONE_DATA); takes seconds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.tone_sets import CUSTOMER_SERVICE, HATECHECK, _rows

BATCH = 1_000


def misread(texts: list[str], expected: list[str]) -> dict:
    """How many texts the scorer reads in another language than expected, and two examples."""
    from workers.tone import score

    langs = [tone.lang for start in range(0, len(texts), BATCH)
             for tone in score(texts[start:start + BATCH])]
    wrong = [text for text, lang, want in zip(texts, langs, expected, strict=True) if lang != want]
    return {"texts": len(texts), "misread": len(wrong),
            "share": round(len(wrong) / max(len(texts), 1), 4), "examples": wrong[:2]}


def measure(data: Path) -> dict:
    def lines(path: Path) -> list[str]:
        return [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()]

    germeval = lines(data / "germeval2018" / "germeval2018.training.txt")
    hatecheck, mails = _rows(HATECHECK), _rows(CUSTOMER_SERVICE)
    found = {"germeval2018 (de)": misread(germeval, ["de"] * len(germeval))}
    for half in ("choose", "report"):
        texts = [r["text"] for r in hatecheck if r["part"] == half]
        found[f"hatecheck {half} (de)"] = misread(texts, ["de"] * len(texts))
    found["customer-service e-mails"] = misread([r["text"] for r in mails],
                                                [r["lang"] for r in mails])
    for name in ("dev", "train"):
        texts = lines(data / "goemotions" / f"{name}.tsv")
        found[f"goemotions {name} (en)"] = misread(texts, ["en"] * len(texts))
    return {**found, "command": "python -m bench.tone_lang"}


def main() -> None:
    from training.data import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    print(json.dumps(measure(data_dir(parser.parse_args().data)), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
