"""Timestamps: vendors send ISO-8601 strings; the strain model works in unix seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_ts(value) -> float | None:
    """ISO-8601 string (or unix number) to unix seconds; None when missing or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def iso(ts: float) -> str:
    """Unix seconds to an ISO-8601 UTC string ending in Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
