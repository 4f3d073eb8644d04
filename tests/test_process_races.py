"""Process jobs racing or dying around parked messages (a message that arrives before its ticket
has an agent): found by the fault tests with two workers, kept here as fast checks."""

from __future__ import annotations

import pytest
import redis as redis_lib

from workers import keys, process, snapshots, strain

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
    process._ticket_events(redis, [TICKET])  # the ticket job reads them, then is killed
    assert redis.llen(keys.pending("zendesk:1")) == 1
    process.apply_records(redis, [TICKET], score_tone=False)  # the retry
    assert redis.llen(keys.pending("zendesk:1")) == 0 and counted(redis) == 1
    process.apply_records(redis, [TICKET, MESSAGE], score_tone=False)
    assert counted(redis) == 1


# -- assigned/solved events of a ticket job that dies after writing the ticket's snapshot --------
REASSIGNED = {**TICKET, "agent": "zendesk:8", "updated_at": "2026-09-21T10:05:00Z"}


def open_tickets(redis, agent: str) -> int:
    raw = redis.get(keys.strain(agent))
    return strain.loads(raw).open_tickets if raw else 0


def loads(redis) -> dict[str, int]:
    return {agent: open_tickets(redis, agent) for agent in ("zendesk:7", "zendesk:8")}


def test_a_ticket_job_killed_after_its_snapshot_applies_the_change_on_retry(redis):
    """The job wrote the reassignment's snapshot, then died before the strain update: its
    retry still moves the open ticket from the old agent to the new one, exactly once."""
    process.apply_records(redis, [TICKET], score_tone=False)
    process._ticket_events(redis, [REASSIGNED])  # the job's first step, then killed
    process.apply_records(redis, [REASSIGNED], score_tone=False)  # RQ's retry
    assert loads(redis) == {"zendesk:7": 0, "zendesk:8": 1}
    states = redis.mget(keys.strain("zendesk:7"), keys.strain("zendesk:8"))
    process.apply_records(redis, [REASSIGNED], score_tone=False)  # a normal retry: no change
    assert redis.mget(keys.strain("zendesk:7"), keys.strain("zendesk:8")) == states


def test_a_ticket_job_failing_in_its_strain_update_applies_the_change_once_put_right(redis):
    """A Redis error after the snapshot was written (a foreign value under the follow-ups key)
    fails the job; once the value is put right, the retry counts the reassignment once."""
    process.apply_records(redis, [TICKET], score_tone=False)
    redis.set(keys.FOLLOWUPS, "not Breather's")
    with pytest.raises(redis_lib.ResponseError):
        process.apply_records(redis, [REASSIGNED], score_tone=False)
    assert loads(redis) == {"zendesk:7": 1, "zendesk:8": 0}  # nothing applied yet
    redis.delete(keys.FOLLOWUPS)
    process.apply_records(redis, [REASSIGNED], score_tone=False)
    process.apply_records(redis, [REASSIGNED], score_tone=False)
    assert loads(redis) == {"zendesk:7": 0, "zendesk:8": 1}


def test_two_jobs_on_copies_of_a_ticket_page_apply_its_change_once(redis):
    """One job wrote the snapshot and is about to apply its events when a copy of the page (a
    webhook, a retry) applies them first: the slower job finds them applied and skips them."""
    process.apply_records(redis, [TICKET], score_tone=False)
    events, released = process._ticket_events(redis, [REASSIGNED])
    process.apply_records(redis, [REASSIGNED], score_tone=False)  # the copy, all the way
    process._apply_to_agents(redis, events, 30, True, released)  # the first job goes on
    assert loads(redis) == {"zendesk:7": 0, "zendesk:8": 1}


def test_a_ticket_seen_twice_in_one_page_applies_each_change_once(redis):
    """Assigned, then reassigned within one page: each agent's load moves once."""
    process.apply_records(redis, [TICKET, REASSIGNED], score_tone=False)
    assert loads(redis) == {"zendesk:7": 0, "zendesk:8": 1}
    process._ticket_events(redis, [TICKET, REASSIGNED])  # killed after the snapshots
    process.apply_records(redis, [TICKET, REASSIGNED], score_tone=False)
    assert loads(redis) == {"zendesk:7": 0, "zendesk:8": 1}


def test_a_snapshot_written_since_it_was_read_is_not_overwritten(redis):
    """Two jobs with copies of a ticket read the same snapshot: the second write is refused
    (and its job reads the snapshot again), so both cannot count the same change."""
    version = snapshots.read(redis, "zendesk:1").get("v", "")
    process.apply_records(redis, [TICKET], score_tone=False)  # the other job, meanwhile
    at = 1_790_000_000.0
    assert snapshots.write(redis, TICKET, at, version, [], retention_days=30) is None
    assert loads(redis) == {"zendesk:7": 1, "zendesk:8": 0}
