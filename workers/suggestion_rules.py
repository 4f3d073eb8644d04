"""Suggestions: at most one gentle offer at a time, that the agent accepts, snoozes or declines.

Pure: an Assessment and the agent's Prefs in, a Suggestion (or None) and new Prefs out. The
defaults and their sources are in docs/strain-model.md. Breather never assigns anything: a
hand-off is an offer the agent may make to teammates, and a teammate decides to take it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from workers.strain import Assessment

KINDS = ("cool_down", "break", "handoff", "checkin", "wins")
COOL_DOWN_WINDOW = 10 * 60  # offer a cool-down within 10 min of a severe message
MIN_GAP = 20 * 60  # at least 20 min between two prompts (a cool-down excepted)
EXPIRES = 15 * 60  # an unanswered prompt lapses after 15 min
LAPSE_QUIET = 3600  # then that kind rests an hour, doubling with each lapse in a row
DECLINE_QUIET = {"cool_down": 3600, "break": 2 * 3600, "handoff": 2 * 3600,
                 "checkin": 12 * 3600, "wins": 12 * 3600}
THRESHOLDS = {"break": 65.0, "handoff": 65.0}  # starting strain thresholds
BOUNDS = {"break": (55.0, 80.0), "handoff": (55.0, 85.0)}
ACCEPT_STEP, DECLINE_STEP = -2.0, 5.0
LONG_STRETCH = 150  # minutes without a break that call for one whatever the strain
SNOOZE_MINUTES = (5, 15, 30)
# open prompts that a cool-down takes the place of: a question about the day or a thank-you
# count can wait, a very hostile message cannot (a break or hand-off prompt already offers
# a way out, so it stays)
YIELDS_TO_COOL_DOWN = ("checkin", "wins")


@dataclass(frozen=True)
class Suggestion:
    id: str
    kind: str
    at: float
    title: str
    reason: str
    gentle: bool
    options: tuple[str, ...]
    ticket: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["options"] = list(self.options)
        return data


@dataclass
class Prefs:
    """One agent's prompt history and learned thresholds (only the agent sees these)."""

    thresholds: dict[str, float] = field(default_factory=lambda: dict(THRESHOLDS))
    quiet_until: dict[str, float] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)
    responses: dict[str, dict[str, int]] = field(default_factory=dict)
    open: dict | None = None
    last_prompt_at: float = 0.0
    last_cool_down_for: float = 0.0
    checkin_day: int = -1  # kept so older records load; check-ins now go by shift
    wins_day: int = -1
    lapses: dict[str, int] = field(default_factory=dict)
    checkin_shift: float = 0.0  # start of the shift the last check-in prompt belonged to

    def dumps(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def loads(cls, raw: bytes | None) -> Prefs:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def next_suggestion(a: Assessment, prefs: Prefs, at: float, teammates_with_room: int = 0,
                    kinds: tuple[str, ...] = KINDS) -> tuple[Suggestion | None, Prefs]:
    """The one suggestion to show now (the open one if still open), and updated prefs.

    `kinds` leaves out the kinds whose function is switched off (e.g. check-ins).
    """
    if prefs.open is not None:
        if at - prefs.open["at"] < EXPIRES:
            urgent = _superseding_cool_down(a, prefs, at, kinds)
            if urgent is None:
                return Suggestion(**{**prefs.open, "options": tuple(prefs.open["options"])}), prefs
            return urgent, _opened(replace(prefs, open=None), urgent, a, at)
        prefs = _lapse(prefs, at)
    if a.on_break:
        return None, prefs
    for kind, make in _CANDIDATES:
        if kind not in kinds or prefs.quiet_until.get(kind, 0.0) > at:
            continue
        if kind != "cool_down" and at - prefs.last_prompt_at < MIN_GAP:
            continue
        suggestion = make(a, prefs, at, teammates_with_room)
        if suggestion is not None:
            return suggestion, _opened(prefs, suggestion, a, at)
    return None, prefs


def _superseding_cool_down(a: Assessment, prefs: Prefs, at: float,
                           kinds: tuple[str, ...]) -> Suggestion | None:
    """A cool-down due now that takes the open prompt's place (withdrawn, not held against the
    agent), when the open one is a kind that can wait."""
    if (prefs.open["kind"] not in YIELDS_TO_COOL_DOWN or a.on_break or "cool_down" not in kinds
            or prefs.quiet_until.get("cool_down", 0.0) > at):
        return None
    return _cool_down(a, prefs, at, 0)


def has_room(a: Assessment) -> bool:
    """A teammate with room: calm, at work (not on a break) and not above their usual load."""
    return a.level == "calm" and not a.on_break and a.parts.get("load", 0.0) < 0.2


def respond(prefs: Prefs, suggestion_id: str, response: str, at: float,
            minutes: int | None = None) -> Prefs:
    """Record accept / snooze / decline of the open suggestion; adapt thresholds within bounds."""
    if prefs.open is None or prefs.open["id"] != suggestion_id:
        raise KeyError(suggestion_id)
    kind = prefs.open["kind"]
    counts = dict(prefs.responses.get(kind, {}))
    counts[response] = counts.get(response, 0) + 1
    quiet, thresholds = dict(prefs.quiet_until), dict(prefs.thresholds)
    if response == "snooze":
        quiet[kind] = at + 60 * (minutes or 15)
    elif response == "decline":
        quiet[kind] = at + DECLINE_QUIET[kind]
        _nudge(thresholds, kind, DECLINE_STEP)
    elif response == "accept":
        quiet[kind] = at + MIN_GAP
        _nudge(thresholds, kind, ACCEPT_STEP)
    return replace(prefs, thresholds=thresholds, quiet_until=quiet, open=None,
                   responses={**prefs.responses, kind: counts}, lapses={**prefs.lapses, kind: 0})


def _lapse(prefs: Prefs, at: float) -> Prefs:
    """Nobody answered: quiet this kind for an hour, doubling with each lapse in a row."""
    kind = prefs.open["kind"]
    lapses = prefs.lapses.get(kind, 0)
    counts = {**prefs.responses.get(kind, {})}
    counts["lapse"] = counts.get("lapse", 0) + 1
    quiet = {**prefs.quiet_until, kind: at + LAPSE_QUIET * 2 ** min(lapses, 3)}
    return replace(prefs, quiet_until=quiet, open=None, responses={**prefs.responses,
                                                                   kind: counts},
                   lapses={**prefs.lapses, kind: lapses + 1})


def _nudge(thresholds: dict, kind: str, step: float) -> None:
    if kind in BOUNDS:
        low, high = BOUNDS[kind]
        thresholds[kind] = min(high, max(low, thresholds.get(kind, THRESHOLDS[kind]) + step))


def _opened(prefs: Prefs, s: Suggestion, a: Assessment, at: float) -> Prefs:
    shown = {**prefs.shown, s.kind: prefs.shown.get(s.kind, 0) + 1}
    changes: dict = {"shown": shown, "open": s.to_dict(), "last_prompt_at": at}
    if s.kind == "cool_down":
        changes["last_cool_down_for"] = a.last_severe_at
    elif s.kind == "checkin":
        changes["checkin_shift"] = a.shift_start
    elif s.kind == "wins":
        changes["wins_day"] = int(at // 86400)
    return replace(prefs, **changes)


def _make(kind: str, a: Assessment, prefs: Prefs, at: float, title: tuple[str, str],
          reason: str, options: tuple[str, ...], ticket: str | None = None) -> Suggestion:
    gentle = prefs.shown.get(kind, 0) == 0
    digest = hashlib.sha1(f"{a.agent}|{kind}|{at}".encode()).hexdigest()[:12]
    return Suggestion(f"{kind}-{digest}", kind, at, title[0] if gentle else title[1], reason,
                      gentle, options, ticket)


SNOOZE_ACCEPT = ("accept", "snooze", "decline")


def _cool_down(a: Assessment, prefs: Prefs, at: float, room: int) -> Suggestion | None:
    fresh = 0 < at - a.last_severe_at <= COOL_DOWN_WINDOW or at == a.last_severe_at
    if not fresh or a.last_severe_at <= prefs.last_cool_down_for:
        return None
    return _make("cool_down", a, prefs, at,
                 ("That last message was a rough one. A few minutes away from the queue, maybe?",
                  "Rough message. Take 5 minutes away from the queue?"),
                 "a very hostile customer message just now", SNOOZE_ACCEPT)


def _break(a: Assessment, prefs: Prefs, at: float, room: int) -> Suggestion | None:
    threshold = prefs.thresholds.get("break", THRESHOLDS["break"])
    long_stretch = a.minutes_since_break >= LONG_STRETCH
    if a.strain < threshold and not long_stretch:
        return None
    reason = "; ".join(a.factors[:2])
    return _make("break", a, prefs, at,
                 ("You've carried a lot for a while. How about a real break: 15 minutes away "
                  "from the screen?", "Time for a 15-minute break away from the screen?"),
                 reason, SNOOZE_ACCEPT)


def _handoff(a: Assessment, prefs: Prefs, at: float, room: int) -> Suggestion | None:
    threshold = prefs.thresholds.get("handoff", THRESHOLDS["handoff"])
    if a.strain < threshold or a.hostile_2h < 2 or room < 1 or not a.last_hostile_ticket:
        return None
    return _make("handoff", a, prefs, at,
                 ("This ticket has been heated. Would you like to offer it to a teammate with "
                  "room? You decide, and so do they.",
                  "Offer this heated ticket to a teammate with room?"),
                 f"{a.hostile_2h} hostile messages in 2 h; {room} teammate(s) have room",
                 SNOOZE_ACCEPT, ticket=a.last_hostile_ticket)


def _checkin(a: Assessment, prefs: Prefs, at: float, room: int) -> Suggestion | None:
    """Once a shift, after an hour of work, unless the agent already checked in this shift."""
    if (a.shift_minutes < 60 or prefs.checkin_shift >= a.shift_start
            or a.checkin_at >= a.shift_start):
        return None
    return _make("checkin", a, prefs, at, ("How are you doing today? Only you see this.",
                                           "Quick check-in: how are you?"),
                 "once a shift, if you like", ("1", "2", "3", "4", "5", "decline"))


def _wins(a: Assessment, prefs: Prefs, at: float, room: int) -> Suggestion | None:
    if a.praise_today < 3 or prefs.wins_day == int(at // 86400):
        return None
    return _make("wins", a, prefs, at, (f"{a.praise_today} customers thanked you today. Nice work!",
                                        f"{a.praise_today} thank-yous today."),
                 "wins of the day", ("accept",))


# the hand-off offer, when it applies, is the more specific help for a heated ticket still open;
# the break prompt follows after the minimum gap
_CANDIDATES = (("cool_down", _cool_down), ("handoff", _handoff), ("break", _break),
               ("checkin", _checkin), ("wins", _wins))
