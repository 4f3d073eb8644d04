"""The process job: records in, scores and strain state out, each message counted once."""

from __future__ import annotations

from seed import HOSTILE, NEUTRAL, PRAISE, iso, team_records

from workers import agents, keys
from workers.process import apply_records


def message_counts(redis) -> dict[str, int]:
    return {k.decode(): int(v) for k, v in redis.hgetall(keys.MESSAGE_COUNTS).items()}


def views(redis, at: float) -> dict[str, dict]:
    return {v["agent"]: v for v in agents.all_views(redis, at)}


def test_team_page_is_scored_and_counted(redis):
    """Hostile bursts are counted as hostile, praise as praise, per source and team."""
    summary = apply_records(redis, team_records(hostile_for=2))
    counts = message_counts(redis)
    assert summary["agents"] == 6
    assert counts["zendesk|Billing|hostile"] == 2 * len(HOSTILE)
    assert counts.get("zendesk|Billing|praise", 0) >= 3
    assert sum(counts.values()) == 6 * len(NEUTRAL) + 2 * len(HOSTILE) + 4 * len(PRAISE)


def test_hostile_exposure_raises_strain_above_calm_colleagues(redis):
    apply_records(redis, team_records(hostile_for=2))
    at = 1_793_613_600.0  # 2026-11-02T10:00Z, shortly after the burst
    by_agent = views(redis, at)
    hit, calm = by_agent["zendesk:101"], by_agent["zendesk:106"]
    assert hit["hostile_messages"] == len(HOSTILE)
    assert calm["hostile_messages"] == 0
    assert hit["strain"] > calm["strain"]
    assert hit["open_tickets"] == 1
    assert hit["recent_hostile"] and all("text" not in item for item in hit["recent_hostile"])


def test_same_page_twice_counts_once(redis):
    """A retried job, or a webhook copy of a polled message, does not count twice."""
    records = team_records()
    apply_records(redis, records)
    before = message_counts(redis)
    state_before = {a: redis.get(keys.strain(a)) for a in agents.agent_ids(redis)}
    second = apply_records(redis, records)
    assert message_counts(redis) == before
    assert second["duplicates"] == sum(1 for r in records if r["kind"] == "message")
    assert {a: redis.get(keys.strain(a)) for a in state_before} == state_before


def test_message_before_its_ticket_waits_for_the_agent(redis):
    """A message whose ticket is not known yet is kept (scored, no text) and counted later."""
    message = {"kind": "message", "source": "zendesk", "id": "zendesk:c-1", "ticket": "zendesk:9",
               "author": "zendesk:55", "from": "customer", "public": True, "at": iso(1),
               "text": HOSTILE[0]}
    first = apply_records(redis, [message])
    assert first["pending"] == 1
    assert message_counts(redis) == {}
    ticket = {"kind": "ticket", "source": "zendesk", "id": "zendesk:9", "agent": "zendesk:7",
              "team": "Billing", "status": "open", "open": True, "updated_at": iso(2)}
    apply_records(redis, [ticket])
    assert message_counts(redis) == {"zendesk|Billing|hostile": 1}
    apply_records(redis, [ticket, message])
    assert message_counts(redis) == {"zendesk|Billing|hostile": 1}


def test_reassignment_moves_the_open_ticket(redis):
    base = {"kind": "ticket", "source": "zendesk", "id": "zendesk:5", "team": "Billing",
            "status": "open", "open": True}
    apply_records(redis, [{**base, "agent": "zendesk:1", "updated_at": iso(0)}])
    apply_records(redis, [{**base, "agent": "zendesk:2", "updated_at": iso(10)}])
    at = 1_793_613_600.0  # 2026-11-02T10:00Z
    by_agent = views(redis, at)
    assert by_agent["zendesk:1"]["open_tickets"] == 0
    assert by_agent["zendesk:2"]["open_tickets"] == 1
    apply_records(redis, [{**base, "agent": "zendesk:2", "status": "solved", "open": False,
                           "updated_at": iso(20)}])
    assert views(redis, at)["zendesk:2"]["open_tickets"] == 0


def test_notes_and_agent_replies_are_not_customer_messages(redis):
    records = team_records(agents=1, hostile_for=0)
    ticket = records[1]["id"]
    records += [
        {"kind": "message", "source": "zendesk", "id": "zendesk:n1", "ticket": ticket,
         "author": "zendesk:101", "from": "note", "public": False, "at": iso(30),
         "text": "Internal: this customer is FURIOUS and threatening a lawyer!!!"},
        {"kind": "message", "source": "zendesk", "id": "zendesk:r1", "ticket": ticket,
         "author": "zendesk:101", "from": "agent", "public": True, "at": iso(31),
         "text": "I'm sorry about the trouble, the refund is on its way."},
    ]
    apply_records(redis, records)
    assert "zendesk|Billing|hostile" not in message_counts(redis)


def test_no_message_text_is_stored(redis):
    """Privacy: not one customer sentence is kept in Redis, in any key or value."""
    apply_records(redis, team_records(hostile_for=3))
    fragments = [text[:24].encode() for text in HOSTILE + NEUTRAL + PRAISE]
    for key in redis.scan_iter(count=1000):
        kind = redis.type(key)
        if kind == b"string":
            values = [redis.get(key)]
        elif kind == b"hash":
            values = list(redis.hgetall(key).values())
        elif kind == b"list":
            values = redis.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(redis.smembers(key))
        elif kind == b"zset":
            values = [m for m, _ in redis.zrange(key, 0, -1, withscores=True)]
        else:
            values = []
        for value in values:
            assert not any(f in value for f in fragments), key


def test_malformed_records_are_skipped_not_fatal(redis):
    records = [{"kind": "mystery"}, {"kind": "message", "source": "zendesk", "id": "zendesk:x",
               "ticket": "zendesk:1", "from": "customer", "at": "not a time", "text": "hi"}]
    summary = apply_records(redis, records)
    assert summary["skipped"] == 1
    assert message_counts(redis) == {}


def test_strain_switched_off_keeps_no_state_but_counts(redis):
    """BREATHER_DISABLE=strain: messages still counted once, no per-agent state at all."""
    records = team_records(hostile_for=2)
    apply_records(redis, records, keep_strain=False)
    apply_records(redis, records, keep_strain=False)
    assert message_counts(redis)["zendesk|Billing|hostile"] == 2 * len(HOSTILE)
    assert not list(redis.scan_iter(keys.strain("*")))
