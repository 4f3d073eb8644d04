"""`breather anger`: score JSON lines {"id", "text"} from stdin, one result line per input.

Batched for speed, streaming for pipes: a batch is scored when it is full or when stdin has no
more lines ready. A malformed line gets an error on stderr naming its line number and no
output line; every other line is still scored, and the exit code is 1 at the end.
"""

from __future__ import annotations

import json
import select
import sys

import click

from service.commands.jsonlines import parse_object, read_lines

BATCH = 256


def _parse(line: str, number: int) -> tuple[object, str] | str:
    """(id, text), or an error message naming the line."""
    item = parse_object(line, number)
    if isinstance(item, str):
        return item if "JSON object" not in item else f"{item} with 'id' and 'text'"
    if not isinstance(item.get("text"), str):
        return f"line {number}: 'text' is missing or not a string"
    return item.get("id"), item["text"]


def _more_ready(stream) -> bool:
    """Whether another line can be read without waiting (so a slow pipe is not held back)."""
    try:
        return bool(select.select([stream], [], [], 0)[0])
    except (ValueError, OSError, TypeError):
        return True


def _flush(batch: list[tuple[object, str]], out) -> None:
    from workers.tone import score

    for (item_id, _), tone in zip(batch, score([text for _, text in batch]), strict=True):
        out.write(json.dumps({"id": item_id, "anger": tone.anger, "praise": tone.praise,
                              "lang": tone.lang, "hostile": tone.hostile,
                              "cues": list(tone.cues)}, ensure_ascii=False) + "\n")
    out.flush()
    batch.clear()


@click.command()
@click.option("--batch-size", default=BATCH, show_default=True, type=click.IntRange(1, 10000))
def anger(batch_size: int) -> None:
    """Score JSON lines {"id": ..., "text": ...} on stdin for anger and praise."""
    stdin, out = sys.stdin.buffer, sys.stdout
    batch: list[tuple[object, str]] = []
    errors = 0
    for number, line, error in read_lines(stdin):
        parsed = error or _parse(line, number)
        if isinstance(parsed, str):
            errors += 1
            _flush(batch, out)  # keep output in input order around the bad line
            click.echo(f"error: {parsed}", err=True)
        else:
            batch.append(parsed)
        if len(batch) >= batch_size or (batch and not _more_ready(stdin)):
            _flush(batch, out)
    if batch:
        _flush(batch, out)
    if errors:
        click.echo(f"{errors} malformed line(s) skipped", err=True)
        sys.exit(1)
