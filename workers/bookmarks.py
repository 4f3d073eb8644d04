"""Connector state in Redis: bookmarks that only move forward, and cached account metadata.

A bookmark is written in the same MULTI/EXEC as the enqueue of the page it follows (see
workers/poll.py), so a crash between fetch and enqueue leaves the old bookmark and the page is
fetched again: nothing lost, and the process job's de-duplication keeps it from counting twice.
"""

from __future__ import annotations

import json
import time

import redis as redis_lib

from connectors.records import epoch
from workers import keys

META_TTL = 600  # agents and groups are re-read every 10 minutes


class CorruptValue(ValueError):
    """A Breather key holds something Breather did not write; the message names the key."""


def loads(key: str, raw: bytes | None) -> dict | None:
    """A stored JSON object, None when absent, or CorruptValue naming the key and the fix."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise CorruptValue(f"Redis key {key} holds a value Breather did not write "
                           f"({bytes(raw[:40])!r}); delete it (redis-cli DEL {key}) and the "
                           "next poll starts over from its lookback") from None
    return value


def check_types(r: redis_lib.Redis, expected: dict[str, str]) -> None:
    """CorruptValue naming the first key that exists with another type than expected."""
    pipe = r.pipeline(transaction=False)
    for key in expected:
        pipe.type(key)
    for (key, wanted), found in zip(expected.items(), pipe.execute(), strict=True):
        found = found.decode() if isinstance(found, bytes) else str(found)
        if found not in ("none", wanted):
            raise CorruptValue(f"Redis key {key} holds a {found} where Breather keeps a {wanted}"
                               f"; rename it (redis-cli RENAME {key} {key}.foreign) and the "
                               "failed jobs' messages are read again at the next poll")


def get_bookmark(r: redis_lib.Redis, source: str, stream: str) -> dict | None:
    key = keys.bookmark(source, stream)
    try:
        raw = r.get(key)
    except redis_lib.ResponseError as exc:  # WRONGTYPE: a hash, a list... under our key
        raise CorruptValue(f"Redis key {key} holds a {r.type(key).decode()}, not a Breather "
                           f"bookmark ({exc}); delete it (redis-cli DEL {key}) and the next "
                           "poll starts over from its lookback") from None
    return loads(key, raw)


def forward(old: dict | None, new: dict) -> dict:
    """The bookmark to save: `new` if it is not behind `old`, else `old`."""
    return new if is_forward(old, new) else old  # type: ignore[return-value]


def is_forward(old: dict | None, new: dict) -> bool:
    """A bookmark may only move forward (by its `position`, unix seconds)."""
    return old is None or float(new.get("position", 0)) >= float(old.get("position", 0))


def get_meta(r: redis_lib.Redis, source: str, max_age: float | None = META_TTL) -> dict | None:
    """Cached {"groups": {...}, "agent_ids": [...], "at": ts}, or None when older than max_age."""
    try:
        meta = loads(keys.meta(source), r.get(keys.meta(source)))
    except CorruptValue:
        return None  # a cache: read again from the helpdesk
    if meta is None:
        return None
    if max_age is not None and time.time() - float(meta.get("at") or 0) >= max_age:
        return None
    return meta


def set_meta(r: redis_lib.Redis, source: str, groups: dict, agent_ids: list[str]) -> dict:
    """Cache the account's metadata (`r` may be a pipeline in MULTI, as in a page's commit)."""
    meta = {"groups": groups, "agent_ids": agent_ids, "at": time.time()}
    r.set(keys.meta(source), json.dumps(meta), ex=META_TTL * 6)
    return meta


def stop_stream(r: redis_lib.Redis, source: str, stream: str, reason: str, ttl: int) -> None:
    """Park a stream whose credentials were refused, so cron polls do not hammer the vendor."""
    r.set(keys.stopped(source, stream), reason, ex=ttl)


def stopped_reason(r: redis_lib.Redis, source: str, stream: str) -> str | None:
    raw = r.get(keys.stopped(source, stream))
    return raw.decode() if raw else None


def resume_stream(r: redis_lib.Redis, source: str, stream: str) -> None:
    r.delete(keys.stopped(source, stream))


def count_error(r: redis_lib.Redis, source: str, stream: str, kind: str) -> None:
    """Exported as breather_api_errors_total{source,stream,kind} by service/metrics.py."""
    r.hincrby(keys.ERROR_COUNTS, f"{source}|{stream}|{kind}", 1)


def position_of(value) -> float:
    """A record's time (ISO or unix seconds) as unix seconds; 0.0 when unreadable."""
    return epoch(value)


def mark_repoll(r: redis_lib.Redis, source: str, stream: str, at: float) -> None:
    """Re-read `stream` from `at` at its next poll (keeps the earliest mark)."""
    field = f"{source}|{stream}"
    old = r.hget(keys.REPOLL, field)
    if old is None or at < float(old):
        r.hset(keys.REPOLL, field, repr(at))


def repoll_mark(r: redis_lib.Redis, source: str, stream: str) -> float | None:
    raw = r.hget(keys.REPOLL, f"{source}|{stream}")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def advance_repoll(r: redis_lib.Redis, source: str, stream: str, at: float,
                   reached: float) -> float:
    """A re-read committed up to `reached`: a run cut short resumes from there, not from `at`."""
    if reached > at and repoll_mark(r, source, stream) == at:
        r.hset(keys.REPOLL, f"{source}|{stream}", repr(reached))
        return reached
    return at


def clear_repoll(r: redis_lib.Redis, source: str, stream: str, at: float) -> None:
    """Done re-reading from `at` (a mark set meanwhile, earlier, stays)."""
    if repoll_mark(r, source, stream) == at:
        r.hdel(keys.REPOLL, f"{source}|{stream}")
