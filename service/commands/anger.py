"""`breather anger`: score JSON lines {"id", "text"} from stdin, one result line per input.

Fast and streaming: stdin is read in blocks of whatever is ready (a file in megabytes, a slow
pipe line by line), parsed and written with orjson, and scored in batches, so that a large
export costs little more than the scorer itself and a pipe is answered as soon as a line
arrives. A malformed line (not JSON, not an object, no string 'text', not UTF-8) gets an error
on stderr naming its line number and no output line; every other line is still scored, and the
exit code is 1 at the end.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import click
import orjson

from service.commands.heap import keep_freed_memory

BATCH = 1024
READ_SIZE = 1 << 20


def ready_lines(fd: int, size: int = READ_SIZE) -> Iterator[list[bytes]]:
    """Lists of complete lines, each list what one read made available (blocks only when
    nothing is ready); a last line without a newline comes at the end."""
    tail = b""
    while chunk := os.read(fd, size):
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        if lines:
            yield lines
    if tail:
        yield [tail]


def parse(line: bytes, number: int) -> tuple[object, str] | str:
    """(id, text) of a line, or an error message naming the line."""
    try:
        item = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        item = _load_slowly(line, number, exc)
        if isinstance(item, str):
            return item
    if not isinstance(item, dict):
        return f"line {number}: expected a JSON object with 'id' and 'text'"
    text = item.get("text")
    if not isinstance(text, str):
        return f"line {number}: 'text' is missing or not a string"
    item_id = item.get("id")
    if isinstance(item_id, float):  # orjson reads integers beyond 64 bits as floats: keep them
        import json

        item_id = json.loads(line)["id"]
    return item_id, text


def _load_slowly(line: bytes, number: int, exc: Exception) -> object:
    """What orjson refused: JSON that json reads (integers beyond 64 bits), or an error
    message saying whether the bytes are not UTF-8 or not JSON."""
    import json

    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"line {number}: not valid UTF-8 (byte {bad.start + 1})"
    try:
        return json.loads(decoded)
    except ValueError:
        return f"line {number}: not valid JSON ({getattr(exc, 'msg', exc)})"


def _dumps(result: dict) -> bytes:
    try:
        return orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # an id orjson cannot write (an integer beyond 64 bits)
        import json

        return (json.dumps(result, ensure_ascii=False) + "\n").encode("utf-8")


class Scorer:
    """Takes the lines of each read and writes their results in input order, in batches."""

    def __init__(self, out, batch_size: int):
        from workers.tone import score

        self.score, self.out, self.batch_size = score, out, batch_size
        self.ids: list[object] = []
        self.texts: list[str] = []
        self.errors = 0

    def add_lines(self, lines: list[bytes], number: int) -> None:
        """Lines numbered from `number`: a well-formed line (nearly all) costs one orjson call
        and two appends; any other goes through `parse`, which names what is wrong."""
        loads, ids, texts = orjson.loads, self.ids, self.texts
        for offset, line in enumerate(lines):
            try:
                item = loads(line)
                text, item_id = item["text"], item.get("id")
            except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
                item = text = item_id = None
            if type(item) is dict and type(text) is str and type(item_id) is not float:
                ids.append(item_id)
                texts.append(text)
            elif line.strip():
                self._add_slowly(line, number + offset)
        self.flush()  # answer what has arrived before waiting for more

    def _add_slowly(self, line: bytes, number: int) -> None:
        parsed = parse(line, number)
        if isinstance(parsed, str):
            self.errors += 1
            self.flush()  # keep output in input order around the bad line
            click.echo(f"error: {parsed}", err=True)
        else:
            self.ids.append(parsed[0])
            self.texts.append(parsed[1])

    def flush(self) -> None:
        for start in range(0, len(self.texts), self.batch_size):
            ids = self.ids[start:start + self.batch_size]
            tones = self.score(self.texts[start:start + self.batch_size])
            self.out.write(b"".join([
                _dumps({"id": item_id, "anger": tone.anger, "praise": tone.praise,
                        "lang": tone.lang, "hostile": tone.hostile, "cues": tone.cues})
                for item_id, tone in zip(ids, tones, strict=True)]))
        self.out.flush()
        self.ids.clear()
        self.texts.clear()


@click.command()
@click.option("--batch-size", default=BATCH, show_default=True, type=click.IntRange(1, 10000))
def anger(batch_size: int) -> None:
    """Score JSON lines {"id": ..., "text": ...} on stdin for anger and praise."""
    for pool in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        # a batch's matrix products are tiny: a BLAS thread pool would only cost start-up
        # (0.05 s of CPU when numpy is imported) and compete with the scoring itself
        os.environ.setdefault(pool, "1")
    keep_freed_memory()
    scorer = Scorer(sys.stdout.buffer, batch_size)
    number = 1
    for lines in ready_lines(sys.stdin.fileno()):
        scorer.add_lines(lines, number)
        number += len(lines)
    if scorer.errors:
        click.echo(f"{scorer.errors} malformed line(s) skipped", err=True)
        sys.exit(1)
