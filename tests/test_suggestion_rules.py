"""Suggestions: helpful, one at a time, never nagging, and the agent decides."""

from __future__ import annotations

from workers.strain import Event, apply_many, assess, new_state
from workers.suggestion_rules import MIN_GAP, Prefs, has_room, next_suggestion, respond

T0 = 1_762_070_400.0
AGENT = "zendesk:7"


def severe(at: float, i: int = 0) -> Event:
    return Event("message", at, AGENT, ticket="zendesk:81", id=f"m{i}", sender="customer",
                 anger=0.97, hostile=True)


def burst(n: int = 6, start: float = T0) -> list[Event]:
    return [severe(start + i * 60, i) for i in range(n)]


def test_cool_down_right_after_a_severe_message_and_gentle_first():
    a = assess(apply_many(new_state(AGENT), [severe(T0)]), T0 + 30)
    suggestion, prefs = next_suggestion(a, Prefs(), T0 + 30)
    assert suggestion.kind == "cool_down" and suggestion.gentle
    assert set(suggestion.options) == {"accept", "snooze", "decline"}
    assert prefs.open["id"] == suggestion.id


def test_at_most_one_open_prompt():
    a = assess(apply_many(new_state(AGENT), burst()), T0 + 400)
    first, prefs = next_suggestion(a, Prefs(), T0 + 400)
    again, prefs = next_suggestion(a, prefs, T0 + 460)
    assert again == first


def test_snooze_is_not_a_decline():
    a = assess(apply_many(new_state(AGENT), burst()), T0 + 400)
    first, prefs = next_suggestion(a, Prefs(), T0 + 400)
    snoozed = respond(prefs, first.id, "snooze", T0 + 410, minutes=5)
    assert snoozed.thresholds == prefs.thresholds  # no learning from a snooze
    assert snoozed.quiet_until[first.kind] == T0 + 410 + 300
    declined = respond(prefs, first.id, "decline", T0 + 410)
    assert declined.quiet_until[first.kind] > snoozed.quiet_until[first.kind]


def test_decline_quiets_that_kind_and_raises_its_threshold_within_bounds():
    prefs = Prefs()
    for round_ in range(10):
        prefs.open = {"id": f"x{round_}", "kind": "break", "at": T0, "title": "", "reason": "",
                      "gentle": False, "options": ["accept"], "ticket": None}
        prefs = respond(prefs, f"x{round_}", "decline", T0)
    assert prefs.thresholds["break"] == 80.0  # the upper bound
    for round_ in range(20):
        prefs.open = {"id": f"y{round_}", "kind": "break", "at": T0, "title": "", "reason": "",
                      "gentle": False, "options": ["accept"], "ticket": None}
        prefs = respond(prefs, f"y{round_}", "accept", T0)
    assert prefs.thresholds["break"] == 55.0  # the lower bound


def test_no_prompt_during_a_break():
    evs = [*burst(), Event("break_start", T0 + 360, AGENT)]
    a = assess(apply_many(new_state(AGENT), evs), T0 + 400)
    assert next_suggestion(a, Prefs(), T0 + 400)[0] is None


def test_handoff_is_an_offer_only_with_teammates_with_room():
    a = assess(apply_many(new_state(AGENT), burst(8)), T0 + 600)
    prefs = Prefs(last_cool_down_for=T0 + 10_000, quiet_until={"cool_down": T0 + 10_000,
                                                               "break": T0 + 10_000})
    assert next_suggestion(a, prefs, T0 + 600, teammates_with_room=0)[0] is None
    suggestion, _ = next_suggestion(a, prefs, T0 + 600, teammates_with_room=2)
    assert suggestion.kind == "handoff" and suggestion.ticket == "zendesk:81"
    assert "decide" in suggestion.title


def test_prompts_keep_a_minimum_gap():
    a = assess(apply_many(new_state(AGENT), burst(8)), T0 + 600)
    first, prefs = next_suggestion(a, Prefs(last_cool_down_for=T0 + 10_000), T0 + 600)
    assert first.kind == "break"
    prefs = respond(prefs, first.id, "accept", T0 + 610)
    prefs.quiet_until = {}
    assert next_suggestion(a, prefs, T0 + 620, teammates_with_room=3)[0] is None
    later, _ = next_suggestion(a, prefs, T0 + 600 + MIN_GAP + 1, teammates_with_room=3)
    assert later is not None


def test_unanswered_prompts_back_off():
    """A prompt nobody answers lapses; the next of its kind waits longer each time."""
    a = assess(apply_many(new_state(AGENT), [severe(T0)]), T0 + 30)
    first, prefs = next_suggestion(a, Prefs(), T0 + 30)
    _, prefs = next_suggestion(a, prefs, T0 + 30 + 16 * 60)
    assert prefs.responses["cool_down"] == {"lapse": 1}
    first_quiet = prefs.quiet_until["cool_down"] - (T0 + 30 + 16 * 60)
    prefs.open = {**first.to_dict(), "at": T0 + 10_000}
    _, prefs = next_suggestion(a, prefs, T0 + 10_000 + 16 * 60)
    assert prefs.quiet_until["cool_down"] - (T0 + 10_000 + 16 * 60) == 2 * first_quiet


def test_prefs_round_trip():
    a = assess(apply_many(new_state(AGENT), [severe(T0)]), T0 + 30)
    _, prefs = next_suggestion(a, Prefs(), T0 + 30)
    assert Prefs.loads(prefs.dumps()) == prefs


def calm_shift(minutes: int = 90) -> list[Event]:
    return [Event("message", T0 + m * 60, AGENT, ticket="zendesk:81", id=f"c{m}",
                  sender="customer", anger=0.05) for m in range(0, minutes, 10)]


def test_checkin_once_a_shift_and_never_when_switched_off():
    at = T0 + 90 * 60
    a = assess(apply_many(new_state(AGENT), calm_shift()), at)
    offered, prefs = next_suggestion(a, Prefs(), at)
    assert offered.kind == "checkin"
    prefs = respond(prefs, offered.id, "accept", at)
    assert next_suggestion(a, prefs, at + 3 * 3600)[0] is None
    without, _ = next_suggestion(a, Prefs(), at, kinds=("cool_down", "break", "handoff", "wins"))
    assert without is None


def test_a_teammate_has_room_only_when_calm_at_work_and_not_overloaded():
    at = T0 + 3600
    calm = apply_many(new_state(AGENT), [Event("assigned", T0, AGENT, ticket="t1")])
    assert has_room(assess(calm, at))
    on_break = apply_many(new_state(AGENT), [Event("assigned", T0, AGENT, ticket="t1"),
                                             Event("break_start", T0 + 60, AGENT)])
    assert not has_room(assess(on_break, at))
    piled = [Event("assigned", T0 + 3 * 86400 + i, AGENT, ticket=f"n{i}") for i in range(6)]
    overloaded = apply_many(calm, piled)
    assert not has_room(assess(overloaded, T0 + 3 * 86400 + 60))
    assert not has_room(assess(apply_many(new_state(AGENT), burst()), T0 + 400))


def test_checkin_goes_by_shift_not_by_calendar_day():
    """A night shift over midnight is asked once; a second shift the same day is asked again."""
    night = T0 + 22 * 3600
    evs = [Event("message", night + m * 60, AGENT, id=f"n{m}", sender="customer", anger=0.05)
           for m in range(0, 240, 10)]
    state = apply_many(new_state(AGENT), evs)
    asked, prefs = next_suggestion(assess(state, night + 90 * 60), Prefs(), night + 90 * 60)
    assert asked.kind == "checkin"
    prefs = respond(prefs, asked.id, "decline", night + 91 * 60)
    after_midnight = night + 230 * 60
    prefs.quiet_until.clear()  # only the once-a-shift rule is under test here
    only = ("checkin",)
    assert next_suggestion(assess(state, after_midnight), prefs, after_midnight,
                           kinds=only)[0] is None
    later = after_midnight + 4 * 3600  # a new shift after a long gap
    evs2 = [Event("message", later + m * 60, AGENT, id=f"l{m}", sender="customer", anger=0.05)
            for m in range(0, 90, 10)]
    state2 = apply_many(state, evs2)
    again, _ = next_suggestion(assess(state2, later + 90 * 60), prefs, later + 90 * 60,
                               kinds=only)
    assert again is not None and again.kind == "checkin"


def test_no_checkin_prompt_after_the_agent_checked_in_this_shift():
    evs = [*calm_shift(), Event("checkin", T0 + 30 * 60, AGENT, value=4)]
    a = assess(apply_many(new_state(AGENT), evs), T0 + 90 * 60)
    assert next_suggestion(a, Prefs(), T0 + 90 * 60)[0] is None


def test_a_cool_down_takes_the_place_of_an_open_checkin():
    """A check-in can wait; a very hostile message arriving while it is open cannot."""
    at = T0 + 90 * 60
    calm = apply_many(new_state(AGENT), calm_shift())
    checkin, prefs = next_suggestion(assess(calm, at), Prefs(), at)
    assert checkin.kind == "checkin"
    hit = apply_many(calm, [severe(at + 60, 99)])
    cool, prefs = next_suggestion(assess(hit, at + 90), prefs, at + 90)
    assert cool.kind == "cool_down" and prefs.open["id"] == cool.id
    assert "lapse" not in prefs.responses.get("checkin", {})  # withdrawn, not held against them
    assert prefs.checkin_shift > 0  # and not asked again this shift
    switched_off, _ = next_suggestion(assess(hit, at + 90), next_suggestion(
        assess(calm, at), Prefs(), at)[1], at + 90, kinds=("checkin", "wins"))
    assert switched_off.kind == "checkin"  # cool-downs switched off: the check-in stays


def test_a_cool_down_does_not_replace_an_open_break_prompt():
    """A break prompt already offers a way out: it stays open."""
    a = assess(apply_many(new_state(AGENT), burst(12)), T0 + 900)
    offered, prefs = next_suggestion(a, Prefs(), T0 + 900, kinds=("break",))
    assert offered.kind == "break"
    hit = apply_many(new_state(AGENT), burst(12) + [severe(T0 + 960, 50)])
    again, _ = next_suggestion(assess(hit, T0 + 990), prefs, T0 + 990)
    assert again.id == offered.id
