"""Process jobs racing or dying around parked messages (a message that arrives before its ticket
has an agent): found by the fault tests with two workers, kept here as fast checks."""

from __future__ import annotations

from workers import keys, process

TICKET = {"kind": "ticket", "source": "zendesk", "id": "zendesk:1", "agent": "zendesk:7",
          "team": "Billing", "status": "open", "open": True, "updated_at": "2026-09-21T10:00:00Z"}
MESSAGE = {"kind": "message", "source": "zendesk", "id": "zendesk:c-1", "ticket": "zendesk:1",
           "author": "zendesk:5000", "from": "customer", "public": True,
           "at": "2026-09-21T09:59:00Z", "text": "Where is my refund?"}


def counted(redis) -> int:
    return sum(int(v) for v in redis.hgetall(keys.MESSAGE_COUNTS).values())


def test_a_message_about_to_park_when_its_ticket_gets_an_agent_counts_at_once(redis):
    """The ticket job assigned the ticket (and looked for parked messages) between the message
    job's read and its park: the park sees the agent and the message counts, never strands."""
    data = {"id": "zendesk:c-1", "at": 1.0, "sender": "customer", "anger": 0.0, "praise": 0.0,
            "hostile": False, "seen": {}}
    redis.hset(keys.ticket("zendesk:1"), mapping={"agent": "zendesk:7", "team": "Billing"})
    found = process._park(redis, "zendesk:1", data, retention_days=30)
    assert found == {"agent": "zendesk:7", "team": "Billing"}
    assert redis.llen(keys.pending("zendesk:1")) == 0
    assert not redis.exists(keys.messages("zendesk:1"))


def test_parked_messages_leave_the_pending_list_only_with_their_count(redis):
    """Releasing reads the parked messages; they are removed in the transaction that counts
    them, so a ticket job killed in between leaves them for its retry."""
    process.apply_records(redis, [MESSAGE], score_tone=False)
    assert redis.llen(keys.pending("zendesk:1")) == 1 and counted(redis) == 0
    process._release_pending(redis, "zendesk:1", "zendesk:7", "Billing")  # then killed
    assert redis.llen(keys.pending("zendesk:1")) == 1
    process.apply_records(redis, [TICKET], score_tone=False)  # the retry
    assert redis.llen(keys.pending("zendesk:1")) == 0 and counted(redis) == 1
    process.apply_records(redis, [TICKET, MESSAGE], score_tone=False)
    assert counted(redis) == 1
