"""Connector state in Redis: bookmarks that only move forward, and cached account metadata.

A bookmark is written in the same MULTI/EXEC as the enqueue of the page it follows (see
workers/poll.py), so a crash between fetch and enqueue leaves the old bookmark and the page is
fetched again: nothing lost, and the process job's de-duplication keeps it from counting twice.
"""

from __future__ import annotations

import json
import time

import redis as redis_lib

from workers import keys

META_TTL = 600  # agents and groups are re-read every 10 minutes


def bookmark_key(source: str, stream: str) -> str:
    return f"{keys.PREFIX}bookmark:{source}:{stream}"


def get_bookmark(r: redis_lib.Redis, source: str, stream: str) -> dict | None:
    raw = r.get(bookmark_key(source, stream))
    return json.loads(raw) if raw else None


def lock_key(source: str, stream: str) -> str:
    return f"{keys.PREFIX}lock:poll:{source}:{stream}"


def stopped_key(source: str, stream: str) -> str:
    return f"{keys.PREFIX}stopped:{source}:{stream}"


def forward(old: dict | None, new: dict) -> dict:
    """The bookmark to save: `new` if it is not behind `old`, else `old`."""
    return new if is_forward(old, new) else old  # type: ignore[return-value]


def is_forward(old: dict | None, new: dict) -> bool:
    """A bookmark may only move forward (by its `position`, unix seconds)."""
    return old is None or float(new.get("position", 0)) >= float(old.get("position", 0))


def meta_key(source: str) -> str:
    return f"{keys.PREFIX}meta:{source}"


def get_meta(r: redis_lib.Redis, source: str, max_age: float | None = META_TTL) -> dict | None:
    """Cached {"groups": {...}, "agent_ids": [...], "at": ts}, or None when older than max_age."""
    raw = r.get(meta_key(source))
    if not raw:
        return None
    meta = json.loads(raw)
    if max_age is not None and time.time() - meta.get("at", 0) >= max_age:
        return None
    return meta


def set_meta(r: redis_lib.Redis, source: str, groups: dict, agent_ids: list[str]) -> dict:
    meta = {"groups": groups, "agent_ids": agent_ids, "at": time.time()}
    r.set(meta_key(source), json.dumps(meta), ex=META_TTL * 6)
    return meta


def stop_stream(r: redis_lib.Redis, source: str, stream: str, reason: str, ttl: int) -> None:
    """Park a stream whose credentials were refused, so cron polls do not hammer the vendor."""
    r.set(stopped_key(source, stream), reason, ex=ttl)


def stopped_reason(r: redis_lib.Redis, source: str, stream: str) -> str | None:
    raw = r.get(stopped_key(source, stream))
    return raw.decode() if raw else None


def resume_stream(r: redis_lib.Redis, source: str, stream: str) -> None:
    r.delete(stopped_key(source, stream))


def count_error(r: redis_lib.Redis, source: str, stream: str, kind: str) -> None:
    """Exported as breather_api_errors_total{source,stream,kind} by service/metrics.py."""
    r.hincrby(f"{keys.PREFIX}stats:errors", f"{source}|{stream}|{kind}", 1)
