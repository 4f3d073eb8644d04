"""Reading JSON lines from a file or stdin: one line at a time, never a stack trace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, error) for each non-blank line; the error names what is wrong."""
    for number, raw in enumerate(iter(stream.readline, b""), 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, None, f"line {number}: not valid UTF-8 (byte {exc.start + 1})"
            continue
        if line.strip():
            yield number, line, None


def parse_object(line: str, number: int) -> dict | str:
    """A JSON object, or an error message naming the line."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line {number}: not valid JSON ({exc.msg})"
    if not isinstance(item, dict):
        return f"line {number}: expected a JSON object"
    return item
