"""VADER behind `breather anger`'s contract, the baseline of bench.tone's command-line figure.

`python -m bench.tone_vader_jsonl < in.jsonl > out.jsonl`: JSON lines {"id", "text"} in, one
line {"id", "anger" (VADER's negativity), "praise" (its positivity), "hostile"} out; a malformed
line is named on stderr and skipped, exit code 1. It reads and writes with orjson as ours does,
so that the ratio measures the scorers and their start-up, not the JSON library.
"""

from __future__ import annotations

import sys

import orjson
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main() -> int:
    analyzer = SentimentIntensityAnalyzer()
    out, errors = [], 0
    for number, line in enumerate(sys.stdin.buffer, 1):
        try:
            item = orjson.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (orjson.JSONDecodeError, TypeError, KeyError) as exc:
            errors += 1
            print(f"error: line {number}: {exc}", file=sys.stderr)
            continue
        polarity = analyzer.polarity_scores(text)
        out.append(orjson.dumps({"id": item.get("id"), "anger": polarity["neg"],
                                 "praise": polarity["pos"], "hostile": polarity["neg"] >= 0.5}))
        if len(out) >= 1024:
            sys.stdout.buffer.write(b"\n".join(out) + b"\n")
            out.clear()
    if out:
        sys.stdout.buffer.write(b"\n".join(out) + b"\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
