"""Message marks: one compact hash per ticket with an expiry, found again by corrections,
export and erasure through the agent's ticket index (workers/marks.py)."""

from __future__ import annotations

from workers import keys, marks
from workers.corrections import record_correction
from workers.erase import erase_agent
from workers.export import message_scores
from workers.process import apply_records

TEXTS = ["Where is my refund?", "This is a disgrace, you useless bunch of clowns. Fix it NOW.",
         "Thanks a lot, that solved it!"]


def ticket(n: int, agent: str = "zendesk:7") -> dict:
    return {"kind": "ticket", "source": "zendesk", "id": f"zendesk:{n}", "agent": agent,
            "team": "Billing", "status": "open", "open": True,
            "updated_at": "2026-09-21T09:00:00Z"}


def message(n: int, ticket_n: int, minute: int = 0) -> dict:
    return {"kind": "message", "source": "zendesk", "id": f"zendesk:c-{n}",
            "ticket": f"zendesk:{ticket_n}", "author": "zendesk:5000", "from": "customer",
            "public": True, "at": f"2026-09-21T10:{minute:02d}:00Z", "text": TEXTS[n % 3]}


def counted(redis) -> int:
    return sum(int(v) for v in redis.hgetall(keys.MESSAGE_COUNTS).values())


def test_a_page_marks_each_ticket_in_one_small_hash_that_expires(redis):
    apply_records(redis, [ticket(1), ticket(2)] + [message(n, 1 + n % 2) for n in range(6)],
                  retention_days=30)
    names = sorted(redis.scan_iter(match=keys.messages("*")))
    assert names == [keys.messages("zendesk:1").encode(), keys.messages("zendesk:2").encode()]
    for name in names:
        assert redis.hlen(name) == 3
        assert 29 * 86400 < redis.ttl(name) <= 30 * 86400
        assert redis.object("encoding", name) in (b"ziplist", b"listpack")
    assert not redis.keys("breather:seen:*") and not redis.keys("breather:tone:*")
    record = marks.decode(redis.hget(keys.messages("zendesk:2"), "zendesk:c-1"))
    assert record["agent"] == "zendesk:7" and record["hostile"] is True
    assert record["at"] == 1789984800 and "text" not in record  # 2026-09-21T10:00:00Z


def test_the_same_messages_again_count_once_and_new_ones_join_the_hash(redis):
    apply_records(redis, [ticket(1)] + [message(n, 1) for n in range(3)])
    apply_records(redis, [message(n, 1) for n in range(5)])
    assert counted(redis) == 5
    assert redis.hlen(keys.messages("zendesk:1")) == 5


def test_a_neutral_message_can_be_corrected_to_hostile_and_erasure_keeps_it_counted(redis):
    apply_records(redis, [ticket(1), ticket(2, agent="zendesk:8")]
                  + [message(0, 1), message(3, 1, 1), message(4, 2, 2)])
    result = record_correction(redis, "zendesk:7", "zendesk:c-3", hostile=True)
    assert result["changed"] is True
    assert marks.decode(redis.hget(keys.messages("zendesk:1"),
                                   "zendesk:c-3"))["corrected"] is True
    assert set(message_scores(redis, "zendesk:7")) == {"zendesk:c-0", "zendesk:c-3"}
    assert set(message_scores(redis, "zendesk:8")) == {"zendesk:c-4"}

    erase_agent(redis, "zendesk:7")
    assert message_scores(redis, "zendesk:7") == {}
    assert redis.hget(keys.messages("zendesk:1"), "zendesk:c-0") == b"e"  # no score, still seen
    before = counted(redis)
    apply_records(redis, [message(0, 1), message(3, 1, 1)])
    assert counted(redis) == before


def test_the_ticket_index_forgets_tickets_past_the_retention_window(redis):
    apply_records(redis, [ticket(1), ticket(2)] + [message(0, 1)], retention_days=1)
    later = dict(message(1, 2), at="2026-09-23T10:00:00Z")
    apply_records(redis, [later], retention_days=1)
    assert redis.zrange(keys.agent_tickets("zendesk:7"), 0, -1) == [b"zendesk:2"]


def test_the_index_is_trimmed_when_a_ticket_joins_and_hostile_lists_keep_ten(redis):
    """Moving a known ticket's time on leaves an aged entry for the next ticket that joins
    (the index cannot grow without a trim); the recent-hostile list never passes ten."""
    apply_records(redis, [ticket(1), ticket(2), ticket(3), message(0, 1), message(1, 2)],
                  retention_days=1)
    apply_records(redis, [dict(message(4, 2), at="2026-09-23T10:00:00Z")], retention_days=1)
    index = keys.agent_tickets("zendesk:7")
    assert redis.zrange(index, 0, -1) == [b"zendesk:1", b"zendesk:2"]
    apply_records(redis, [dict(message(7, 3), at="2026-09-23T10:05:00Z")], retention_days=1)
    assert redis.zrange(index, 0, -1) == [b"zendesk:2", b"zendesk:3"]
    assert 0 < redis.ttl(index) <= 86400

    hostile = [dict(message(n, 1), at=f"2026-09-25T11:{n // 3:02d}:00Z")
               for n in range(1, 3 * 14, 3)]  # n % 3 == 1: the hostile text, 14 of them
    for start in range(0, len(hostile), 4):
        apply_records(redis, hostile[start:start + 4])
    newest = [message_id for _, message_id, _ in marks.recent(redis, "zendesk:7")]
    assert len(newest) == marks.RECENT_HOSTILE
    assert newest == [m["id"] for m in reversed(hostile)][:marks.RECENT_HOSTILE]


def test_a_closed_tickets_snapshot_expires_after_the_retention_window_an_open_one_stays(redis):
    apply_records(redis, [ticket(1), ticket(2)], retention_days=30)
    closed = dict(ticket(1), status="solved", open=False, updated_at="2026-09-21T11:00:00Z")
    apply_records(redis, [closed], retention_days=30)
    assert 29 * 86400 < redis.ttl(keys.ticket("zendesk:1")) <= 30 * 86400
    assert redis.ttl(keys.ticket("zendesk:2")) == -1
    reopened = dict(ticket(1), updated_at="2026-09-22T09:00:00Z")
    apply_records(redis, [reopened], retention_days=30)
    assert redis.ttl(keys.ticket("zendesk:1")) == -1
    assert redis.hget(keys.ticket("zendesk:1"), "open") == b"1"
