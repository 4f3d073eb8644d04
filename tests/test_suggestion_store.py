"""The Redis shell of suggestions: switched-off kinds stay off, answers are never lost."""

from __future__ import annotations

import threading

from redis_counts import commands_sent, round_trips

from workers import keys, strain
from workers import suggestion_store as store
from workers.process import apply_records
from workers.strain import Event, apply_many, new_state
from workers.suggestion_rules import KINDS, Prefs
from workers.suggestion_store import answer, current_suggestion, prefs_key, suggestion_now

T0 = 1_762_070_400.0
AGENT = "zendesk:7"
NO_CHECKIN = tuple(k for k in KINDS if k != "checkin")


def seed_calm_shift(redis) -> float:
    events = [Event("message", T0 + m * 60, AGENT, ticket="zendesk:81", id=f"c{m}",
                    sender="customer", anger=0.05) for m in range(0, 90, 10)]
    redis.set(keys.strain(AGENT), strain.dumps(apply_many(new_state(AGENT), events)))
    return T0 + 90 * 60


def test_checkin_prompt_only_while_checkins_are_on(redis):
    """With check-ins switched off, the shell never opens a check-in prompt."""
    now = seed_calm_shift(redis)
    assert current_suggestion(redis, AGENT, now, NO_CHECKIN) is None
    assert redis.get(prefs_key(AGENT)) is None  # nothing changed, nothing written
    assert current_suggestion(redis, AGENT, now)["kind"] == "checkin"


def test_a_decline_survives_widgets_polling_at_the_same_time(redis):
    """Concurrent GETs of the open prompt never write back over the agent's answer."""
    now = seed_calm_shift(redis)
    opened = current_suggestion(redis, AGENT, now)
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            current_suggestion(redis, AGENT, now + 1)

    pollers = [threading.Thread(target=poll) for _ in range(3)]
    for thread in pollers:
        thread.start()
    try:
        stop.wait(0.05)
        answer(redis, AGENT, opened["id"], "decline", now + 1)
    finally:
        stop.set()
        for thread in pollers:
            thread.join()
    prefs = Prefs.loads(redis.get(prefs_key(AGENT)))
    assert prefs.open is None
    assert prefs.responses["checkin"]["decline"] == 1
    assert current_suggestion(redis, AGENT, now + 2) is None


def test_an_unchanged_suggestion_is_read_in_one_pipeline_and_nothing_is_written(redis):
    """The common GET (the same prompt stays open, or none is due) reads state, prefs and team
    and writes nothing: no WATCH, no MULTI, no SET."""
    now = seed_calm_shift(redis)
    none_due = commands_sent(redis, lambda: current_suggestion(redis, AGENT, now, NO_CHECKIN))
    assert none_due == {"get": 2, "hget": 1}
    opened = current_suggestion(redis, AGENT, now)
    stays = commands_sent(redis, lambda: current_suggestion(redis, AGENT, now + 60))
    assert stays == {"get": 2, "hget": 1}
    assert current_suggestion(redis, AGENT, now + 60)["id"] == opened["id"]


def test_a_new_suggestion_is_still_written_under_watch(redis):
    """When the decision changes the prefs, it is taken again in an optimistic transaction."""
    now = seed_calm_shift(redis)
    sent = commands_sent(redis, lambda: current_suggestion(redis, AGENT, now))
    assert {"watch", "multi", "exec", "set"} <= set(sent)
    assert Prefs.loads(redis.get(prefs_key(AGENT))).open["kind"] == "checkin"


def test_an_answer_between_the_read_and_the_write_is_not_written_over(redis):
    """A GET read no prefs (a check-in due); before it writes, another widget opened the
    check-in and the agent declined it: the GET decides again on the answered prefs."""
    now = seed_calm_shift(redis)
    seen = store._read(redis, AGENT)
    opened = current_suggestion(redis, AGENT, now)
    answer(redis, AGENT, opened["id"], "decline", now)
    assert store._settle(redis, AGENT, seen, now, KINDS) is None
    prefs = Prefs.loads(redis.get(prefs_key(AGENT)))
    assert prefs.open is None and prefs.responses["checkin"] == {"decline": 1}


def burst(agent: str, n: int = 8) -> list[Event]:
    return [Event("message", T0 + i * 60, agent, ticket="zendesk:81", id=f"m{i}",
                  sender="customer", anger=0.97, hostile=True) for i in range(n)]


def profiles(redis, teams: dict[str, str]) -> None:
    apply_records(redis, [{"kind": "agent", "source": "zendesk", "id": agent, "team": team}
                          for agent, team in teams.items()])


def test_a_handoff_is_offered_only_with_a_teammate_with_room_in_the_same_team(redis):
    """Room is counted among the agent's current teammates; calm agents of other teams and
    teammates without a state do not count."""
    profiles(redis, {AGENT: "Billing", "zendesk:8": "Billing", "zendesk:9": "Sales"})
    redis.set(keys.strain(AGENT), strain.dumps(apply_many(new_state(AGENT), burst(AGENT))))
    now = T0 + 600
    calm = strain.dumps(new_state("zendesk:9"))
    redis.set(keys.strain("zendesk:9"), calm)
    assert current_suggestion(redis, AGENT, now, ("handoff",)) is None
    assert redis.get(prefs_key(AGENT)) is None
    redis.set(keys.strain("zendesk:8"), strain.dumps(new_state("zendesk:8")))
    offer = current_suggestion(redis, AGENT, now, ("handoff",))
    assert offer["kind"] == "handoff" and "1 teammate(s) have room" in offer["reason"]
    again = commands_sent(redis, lambda: current_suggestion(redis, AGENT, now + 60,
                                                            ("handoff",)))
    assert again == {"get": 2, "hget": 1}  # an open offer needs no count of teammates


def test_round_trips_of_an_unchanged_suggestion(redis):
    """A GET that changes nothing is one round trip, the data clock's read included."""
    now = seed_calm_shift(redis)
    assert round_trips(redis, lambda: current_suggestion(redis, AGENT, now, NO_CHECKIN)) == 1
    assert round_trips(redis, lambda: current_suggestion(redis, AGENT, now)) > 3  # opens one
    assert round_trips(redis, lambda: current_suggestion(redis, AGENT, now + 60)) == 1
    redis.zadd(keys.CLOCK, {"latest": now + 120})
    opened = Prefs.loads(redis.get(prefs_key(AGENT))).open
    assert round_trips(redis, lambda: suggestion_now(redis, AGENT, "data", KINDS)) == 1
    assert suggestion_now(redis, AGENT, "data", KINDS)["id"] == opened["id"]
