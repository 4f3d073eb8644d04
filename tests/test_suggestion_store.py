"""The Redis shell of suggestions: switched-off kinds stay off, answers are never lost."""

from __future__ import annotations

import threading

from workers import keys, strain
from workers.strain import Event, apply_many, new_state
from workers.suggestion_rules import KINDS, Prefs
from workers.suggestion_store import answer, current_suggestion, prefs_key

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
