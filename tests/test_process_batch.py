"""A page's agents commit in one transaction: a concurrent write re-runs it, nothing is lost."""

from __future__ import annotations

import orjson
import redis as redis_lib
from seed import team_records

from workers import keys, strain
from workers.erase import erase_agent
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


def _message_for(agent: str, n: int, at: str = "2026-11-02T09:00:00Z") -> list[dict]:
    ticket = f"zendesk:t-{agent}"
    return [{"kind": "ticket", "source": "zendesk", "id": ticket, "agent": agent, "team": "T",
             "status": "open", "open": True, "updated_at": at},
            {"kind": "message", "source": "zendesk", "id": f"zendesk:m{n}-{agent}",
             "ticket": ticket, "author": "zendesk:9", "from": "customer", "public": True,
             "at": at, "text": "Where is my order?"}]


def test_agents_are_known_from_their_first_state_and_again_after_erasure(redis):
    """An agent seen only on tickets joins the known agents with their first state, an erased
    agent with new messages joins again, and one stored in the older layout joins when the
    state is rewritten in the current one."""
    apply_records(redis, _message_for("zendesk:900", 1))
    assert redis.sismember(keys.AGENTS, "zendesk:900")
    erase_agent(redis, "zendesk:900")
    assert not redis.sismember(keys.AGENTS, "zendesk:900")
    apply_records(redis, _message_for("zendesk:900", 2, "2026-11-02T09:05:00Z"))
    assert redis.sismember(keys.AGENTS, "zendesk:900")
    assert strain.loads(redis.get(keys.strain("zendesk:900"))).events == 1

    older = strain.apply(strain.new_state("zendesk:901"),
                         strain.Event("assigned", 1.0, "zendesk:901", ticket="x"))
    redis.set(keys.strain("zendesk:901"), orjson.dumps(dict(older.__dict__)))
    apply_records(redis, _message_for("zendesk:901", 3)[1:] + _message_for("zendesk:901", 3)[:1])
    raw = redis.get(keys.strain("zendesk:901"))
    assert redis.sismember(keys.AGENTS, "zendesk:901") and strain.is_current(raw)
    assert strain.loads(raw).events >= 2
