"""A page's agents commit in one transaction: a concurrent write re-runs it, nothing is lost."""

from __future__ import annotations

import redis as redis_lib
from seed import team_records

from workers import keys, strain
from workers.process import apply_records
from workers.strain_store import update_state, update_states


def test_concurrent_write_to_one_agent_reruns_the_whole_page(redis, redis_url):
    """A check-in written by another client mid-transaction survives; the page applies once."""
    other = redis_lib.Redis.from_url(redis_url)
    calls = []

    def events(pipe):
        calls.append(1)
        if len(calls) == 1:  # another writer commits to a watched agent meanwhile
            update_state(other, "b", lambda p: [strain.Event("checkin", 100.0, "b", value=2)])
        return {"a": [strain.Event("assigned", 200.0, "a", ticket="t1")],
                "b": [strain.Event("assigned", 200.0, "b", ticket="t2")]}

    states = update_states(redis, ["a", "b"], events, lambda pipe, chosen: None)
    assert len(calls) == 2, "the watched write made the transaction run again"
    assert states["b"].events == 2 and states["a"].events == 1
    stored = strain.loads(redis.get(keys.strain("b")))
    assert stored.events == 2 and stored.checkin_at == 100.0


def test_page_applied_twice_counts_each_message_once(redis):
    """Every agent of a page gets its messages once, even when the page is processed again."""
    records = team_records(agents=6, hostile_for=2)
    first = apply_records(redis, records)
    again = apply_records(redis, records)
    assert first["messages"] > 0 and again["messages"] == 0
    assert again["duplicates"] == first["messages"]
    counted = sum(strain.loads(redis.get(k)).events for k in redis.scan_iter(keys.strain("*")))
    applied = sum(int(v) for v in redis.hvals(keys.MESSAGE_COUNTS))
    assert applied > 0 and counted >= applied
