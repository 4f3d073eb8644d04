"""Training data: where it is, how it is read, how it is split.

The data sets are not in the repository (see docs/tone.md for their licences). Every command
that reads them takes `--data DIR`, or the environment variable BREATHER_TONE_DATA, naming a
folder with `goemotions/` (train.tsv, dev.tsv) and `germeval2018/`
(germeval2018.training.txt). Nothing guesses a path outside the repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from workers.tone.clean import clean
from workers.tone.lang import detect_language

SEED = 13
DATA_ENV = "BREATHER_TONE_DATA"
NEEDED = ("goemotions/train.tsv", "goemotions/dev.tsv", "germeval2018/germeval2018.training.txt")


class MissingData(SystemExit):
    """The training data could not be found: a message for the user, not a stack trace."""


def data_dir(given: Path | str | None = None) -> Path:
    """The data folder from `--data` or BREATHER_TONE_DATA, checked for the files training
    reads; a clear error naming what is missing otherwise."""
    chosen = given or os.environ.get(DATA_ENV)
    if not chosen:
        raise MissingData(f"no training data: pass --data DIR or set {DATA_ENV} to a folder "
                          "with goemotions/ and germeval2018/ (see docs/tone.md)")
    folder = Path(chosen).expanduser()
    missing = [name for name in NEEDED if not (folder / name).is_file()]
    if missing:
        raise MissingData(f"{folder}: missing {', '.join(missing)} (see docs/tone.md, "
                          "'Data and licences')")
    return folder


def load_goemotions(folder: Path) -> list[tuple[str, int, int, str]]:
    rows = []
    for name in ("train.tsv", "dev.tsv"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            labels = {int(x) for x in parts[1].split(",") if x.strip().isdigit()}
            rows.append((parts[0], int(bool(labels & {2, 3})), int(bool(labels & {0, 15})), "en"))
    return rows


def load_germeval(folder: Path) -> list[tuple[str, int, int, str, str]]:
    """(text, hostile, -1: no praise label, "de", fine label): the fine label (ABUSE, INSULT,
    PROFANITY or OTHER; the coarse one where a line has none) weights the row in training."""
    rows = []
    path = folder / "germeval2018.training.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            fine = parts[2].strip() if len(parts) >= 3 and parts[2].strip() else parts[1]
            rows.append((parts[0], int(parts[1] == "OFFENSE"), -1, "de", fine))
    return rows


def load_extra(path: Path) -> list[tuple[str, int, int, str]]:
    """Own labelled tickets, JSON lines or TSV (by suffix .tsv).

    JSON lines: {"text", "hostile": bool, "praise": bool (optional)}.
    TSV: text <tab> hostile (0/1) [<tab> praise (0/1)], no header.
    """
    rows = []
    reader = _extra_tsv_row if path.suffix.lower() == ".tsv" else _extra_json_row
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parsed = reader(line)
        if parsed is None:
            raise SystemExit(f"{path}:{number}: {_EXTRA_FORMAT[reader]}")
        text, hostile, praise = parsed
        rows.append((text, hostile, praise, detect_language(text)))
    return rows


def _extra_json_row(line: str) -> tuple[str, int, int] | None:
    try:
        item = json.loads(line)
    except ValueError:
        return None
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        return None
    if not isinstance(item.get("hostile"), bool):
        return None
    praise = item.get("praise")
    if praise is not None and not isinstance(praise, bool):
        return None
    return item["text"], int(item["hostile"]), -1 if praise is None else int(praise)


def _extra_tsv_row(line: str) -> tuple[str, int, int] | None:
    parts = line.rstrip("\r").split("\t")
    flags = parts[1:]
    if len(parts) not in (2, 3) or any(flag.strip() not in ("0", "1") for flag in flags):
        return None
    praise = int(flags[1].strip()) if len(flags) == 2 else -1
    return parts[0], int(flags[0].strip()), praise


_EXTRA_FORMAT = {
    _extra_json_row: "needs a JSON object with a string 'text', a boolean 'hostile' "
    "and an optional boolean 'praise'",
    _extra_tsv_row: "needs 'text<TAB>hostile 0/1' with an optional '<TAB>praise 0/1'",
}


def prepare(text: str) -> str:
    """Training sees exactly what `score` sees."""
    return clean(text)


def split(rows: list, seed: int = SEED) -> tuple[list, list, list]:
    order = np.random.default_rng(seed).permutation(len(rows))
    cut1, cut2 = int(0.8 * len(rows)), int(0.9 * len(rows))
    pick = [rows[i] for i in order]
    return pick[:cut1], pick[cut1:cut2], pick[cut2:]
