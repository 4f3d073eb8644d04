"""Normalised records (see docs/architecture.md): what every connector yields.

Plain dicts, JSON-serialisable, ids prefixed with the source so vendors never collide.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

OPEN_STATUSES = frozenset({"new", "open", "pending", "hold"})
STATUSES = OPEN_STATUSES | {"solved", "closed", "deleted"}
# unix seconds that datetime can hold (years 1 to 9999): what `iso` accepts as a number
FIRST_SECOND, END_SECOND = -62_135_596_800, 253_402_300_800


@dataclass
class Page:
    """One page of records and the bookmark that follows it (saved with its enqueue)."""

    records: list[dict]
    bookmark: dict
    done: bool
    skipped: list[str] = field(default_factory=list)
    meta: dict | None = None  # account metadata (groups, agent ids), from a provides_meta stream


def iso(value) -> str | None:
    """Vendor timestamp (ISO string or unix seconds) as ISO-8601 UTC with Z; None if unreadable."""
    if value is None or value == "":
        return None
    # the common cases without datetime's time zone arithmetic (2 us each, and every message
    # has two timestamps): Zendesk's strings are already in our form, unix seconds via gmtime
    if _is_plain_utc(value):
        try:
            datetime.fromisoformat(value[:19])
            return value
        except ValueError:
            return None
    try:
        if isinstance(value, int | float):
            if not FIRST_SECOND <= value < END_SECOND:  # also refuses NaN
                return None
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(value))
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_plain_utc(value) -> bool:
    """'YYYY-MM-DDTHH:MM:SSZ' by its shape (fromisoformat then checks the numbers)."""
    return (type(value) is str and len(value) == 20 and value[19] == "Z" and value[10] == "T"
            and value[4] == value[7] == "-" and value[13] == value[16] == ":")


def describe(item: dict) -> str:
    """A malformed item for a log line: its id and timestamps only, never text it may carry."""
    shown = {k: item.get(k) for k in ("id", "ticket_id", "updated_at", "created_at") if k in item}
    return f"{shown!r:.160}"


def valid_id(value) -> bool:
    """A vendor id we can prefix: a non-negative int or a non-empty string (never a bool)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 64


def ref(source: str, value) -> str | None:
    """`source:id` for a valid id, else None (e.g. an unassigned ticket)."""
    return f"{source}:{value}" if valid_id(value) else None


def agent(source: str, agent_id, name, email, team, active: bool = True) -> dict:
    return {"kind": "agent", "source": source, "id": f"{source}:{agent_id}",
            "name": name or f"{source}:{agent_id}", "email": email, "team": team,
            "active": bool(active)}


def ticket(source: str, ticket_id, agent_id, team, status: str, updated_at) -> dict:
    """A ticket snapshot; a status outside the contract's list (a custom one) counts as open."""
    status = status if status in STATUSES else "open"
    return {"kind": "ticket", "source": source, "id": f"{source}:{ticket_id}",
            "agent": ref(source, agent_id) if agent_id else None, "team": team,
            "status": status, "open": status in OPEN_STATUSES, "updated_at": iso(updated_at)}


def epoch(value) -> float:
    """Vendor timestamp as unix seconds; 0.0 if unreadable (sorts first, never moves a bookmark)."""
    text = iso(value)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else 0.0


def message(source: str, local_id: str, ticket_id, author_id, sender: str, public: bool, at,
            text: str) -> dict:
    """A message; `local_id` is "c-<comment id>" (or "d-<ticket id>" for a ticket description).

    Polled and pushed (webhook) copies of one message build the same id, so they count once.
    """
    return {"kind": "message", "source": source, "id": f"{source}:{local_id}",
            "ticket": f"{source}:{ticket_id}",
            "author": ref(source, author_id) if author_id else None,
            "from": sender, "public": bool(public), "at": iso(at), "text": text or ""}
