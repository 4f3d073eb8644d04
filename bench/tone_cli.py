"""`breather anger` against VADER behind the same JSON-lines contract: `python -m bench.tone_cli`.

What a user runs: a fresh process per round, start-up included, one core, stdin from a file of
JSON lines {"id", "text"} (every GoEmotions train and dev comment: 48,836 lines), stdout to a
file. VADER runs as `python -m bench.tone_vader_jsonl`, which reads and writes with orjson as
ours does. Rounds alternate between the two; the median ratio of the rounds is the figure.
Both CPU time (user + system of the process: what the command costs) and wall-clock time are
reported: on a machine shared with others the wall clock also counts their work, and its ratios
swing from round to round. `bench.tone` reports it too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROUNDS = 5


def _one_core() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed(command: list[str], source: Path, sink: Path, env: dict | None = None
          ) -> tuple[float, float]:
    """(CPU seconds, wall-clock seconds) of one run, start-up included; the run must succeed.

    CPU time (user + system of the child) is what the command costs; wall-clock time on a
    machine shared by others also counts the time the scheduler gave to them."""
    with source.open("rb") as stdin, sink.open("wb") as stdout:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, stdin=stdin, stdout=stdout, check=True, preexec_fn=_one_core,
                       env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime), wall


def cli_speed(texts: list[str], rounds: int = ROUNDS) -> dict:
    """Messages a second of `breather anger` and of VADER's script, and their ratio."""
    ours = [sys.executable, "-m", "service.cli", "anger"]
    vader = [sys.executable, "-m", "bench.tone_vader_jsonl"]
    with tempfile.TemporaryDirectory() as tmp:
        source, sink = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                                  for i, t in enumerate(texts)), encoding="utf-8")
        # warm the file cache, and write the .pyc files an installed package has (pip compiles
        # them at install; PYTHONDONTWRITEBYTECODE, set on some machines, would make every
        # round of ours compile its sources again, 20 ms, while VADER's were compiled)
        compiling = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        timed(ours, source, sink, compiling)
        timed(vader, source, sink, compiling)
        mine, theirs = [], []
        for _ in range(rounds):
            mine.append(timed(ours, source, sink))
            theirs.append(timed(vader, source, sink))
        lines = sum(1 for _ in sink.open("rb"))
    result = {"cli_messages": len(texts), "cli_output_lines_vader": lines}
    for kind, at in (("cpu", 0), ("wall", 1)):
        ours_s = [m[at] for m in mine]
        vader_s = [v[at] for v in theirs]
        ratios = [v / m for m, v in zip(ours_s, vader_s, strict=True)]
        result[f"cli_{kind}_messages_per_second"] = round(len(texts) / float(np.median(ours_s)))
        result[f"cli_{kind}_vader_messages_per_second"] = round(
            len(texts) / float(np.median(vader_s)))
        result[f"cli_{kind}_speed_ratio"] = round(float(np.median(ratios)), 2)
        result[f"cli_{kind}_speed_ratio_range"] = [round(min(ratios), 2), round(max(ratios), 2)]
    return result


def english_texts(data: Path) -> list[str]:
    from training.data import load_goemotions

    return [text for text, *_ in load_goemotions(data / "goemotions")]


def main() -> None:
    from training.data import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    print(json.dumps(cli_speed(english_texts(data_dir(args.data)), args.rounds), indent=2))


if __name__ == "__main__":
    main()
