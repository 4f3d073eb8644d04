"""The strain model: events in, a per-agent load and exposure index out. Pure: no I/O.

Time comes only from the events (`at`, unix seconds), never from the wall clock, so a replay is
deterministic; decay is computed lazily when the next event or assessment arrives. Every
constant below is explained, with its source, in docs/strain-model.md. This is a load and
exposure index, not a diagnosis of anything.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

import orjson

TAU_WORK = 75 * 60.0  # acute hostile exposure decay while working (60-90 min proposal)
TAU_BREAK = 20 * 60.0  # faster decay while on a break (off-task recovery)
TAU_ACTIVITY = 60 * 60.0  # customer messages per hour, smoothed
TAU_BASELINE = 7 * 86400.0  # the agent's own usual workload: a slow EWMA over a week
TAU_PACE = 40 * 3600.0  # usual pace of customer messages: EWMA over a working week of work time
TAU_PRAISE = 4 * 3600.0  # wins fade over an afternoon
TAU_CHECKIN = 3 * 3600.0  # a self-report counts for a few hours
EXPOSURE_SCALE = 1.5  # exposure at which the exposure part reaches 63 %
SHIFT_GAP = 2 * 3600.0  # no activity this long: the agent is off shift (rested)
WORK_TAIL = 30 * 60.0  # after the last activity, assume work goes on this long
LOAD_SLACK = 1.3  # load counts only above 1.3x one's usual (noise, the pace of a shift's start)
MIN_USUAL_OPEN, MIN_USUAL_PACE = 2.0, 3.0  # floors under "usual" (tickets, messages an hour)
SEVERE_ANGER = 0.85  # a message this angry calls for a cool-down
WEIGHTS = {"exposure": 0.6, "load": 0.15, "no_break": 0.15, "checkin": 0.1}
PRAISE_RELIEF = 8.0  # at most this many points off for a good run of thanks
LEVELS = ((65.0, "high"), (35.0, "elevated"), (0.0, "calm"))
HOURS = 24
DAYS = 7
RECENT = 8  # exact times of the latest hostile messages, for "3 hostile messages in 40 min"
WINDOW = 2 * 3600.0  # the acute window the factors and hand-off offers speak of


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to an agent at unix time `at` (from the data)."""

    type: str
    at: float
    agent: str
    team: str | None = None
    ticket: str | None = None
    id: str | None = None
    sender: str | None = None
    anger: float = 0.0
    praise: float = 0.0
    hostile: bool = False
    value: float | None = None


@dataclass
class AgentState:
    """Everything the model keeps about one agent: a few numbers, no message text."""

    agent: str
    t: float = 0.0
    exposure: float = 0.0
    activity: float = 0.0
    activity_base: float = 0.0
    open_tickets: int = 0
    load_base: float = 0.0
    praise: float = 0.0
    checkin: float = 0.0
    checkin_value: float = 0.0
    checkin_at: float = 0.0
    on_break: bool = False
    last_break_end: float = 0.0
    last_activity: float = 0.0
    last_severe_at: float = 0.0
    last_hostile_ticket: str | None = None
    shift_start: float = 0.0
    first_at: float = 0.0
    events: int = 0
    hour: int = 0
    customers: list[int] = field(default_factory=lambda: [0] * HOURS)
    hostiles: list[int] = field(default_factory=lambda: [0] * HOURS)
    day: int = 0
    week_exposure: list[float] = field(default_factory=lambda: [0.0] * DAYS)
    praise_day: int = 0
    praise_today: int = 0
    recent_hostile: list[float] = field(default_factory=list)
    worked: float = 0.0  # seconds of working time seen (nights and breaks do not count)


@dataclass(frozen=True)
class Assessment:
    """Strain 0-100, its level, the plain-word reasons, and what it rests on."""

    agent: str
    at: float
    strain: float
    level: str
    factors: list[str]
    basis: dict
    parts: dict
    open_tickets: int
    customer_messages_24h: int
    hostile_24h: int
    hostile_2h: int
    on_break: bool
    minutes_since_break: int
    praise_today: int
    exposure_week: float
    last_severe_at: float
    last_hostile_ticket: str | None
    shift_minutes: int
    shift_start: float
    checkin_at: float


def new_state(agent: str) -> AgentState:
    return AgentState(agent=agent)


def severity(anger: float) -> float:
    """How much a message adds to exposure: angrier messages count disproportionately."""
    return max(0.0, min(1.0, anger)) ** 2


def apply_many(state: AgentState, events: Iterable[Event]) -> AgentState:
    """Apply events in (time, type, id) order, so same-timestamp order never matters.

    The state is copied once for the whole batch, not once per event (same result as `apply`
    event by event; the input state is not changed).
    """
    s = _copy(state)
    apply_in_place(s, events)
    return s


def apply_in_place(state: AgentState, events: Iterable[Event]) -> None:
    """`apply_many` changing `state` itself: for a state just loaded, which nothing else holds
    (the process job loads and stores every agent a page touches)."""
    for event in sorted(events, key=_order):
        _apply_in_place(state, event)


def _order(e: Event) -> tuple:
    """A total order on events: same-time events always apply in the same order."""
    return (e.at, e.type, e.id or "", e.ticket or "", e.sender or "", e.anger, e.praise,
            e.hostile, e.value if e.value is not None else -1.0, e.team or "")


def apply(state: AgentState, event: Event) -> AgentState:
    """A new state with the event applied (the input state is not changed)."""
    s = _copy(state)
    _apply_in_place(s, event)
    return s


def _copy(state: AgentState) -> AgentState:
    """A copy with its own rings (recent_hostile is never mutated). Copies the instance dict
    instead of `dataclasses.replace`, which re-runs __init__ (a page copies every agent it
    touches)."""
    s = object.__new__(AgentState)
    data = s.__dict__
    data.update(state.__dict__)
    data["customers"], data["hostiles"] = list(state.customers), list(state.hostiles)
    data["week_exposure"] = list(state.week_exposure)
    return s


def _apply_in_place(s: AgentState, event: Event) -> None:
    if s.events == 0:
        s.first_at, s.t, s.last_break_end = event.at, event.at, event.at
        s.shift_start = event.at
        s.hour, s.day = _hour(event.at), _day(event.at)
    _advance(s, event.at)
    s.events += 1
    handler = _HANDLERS.get(event.type)
    if handler is not None:
        handler(s, event)


def _advance(s: AgentState, at: float) -> None:
    """Decay everything from s.t to at (never backwards) and roll the hour and day rings."""
    if at > s.t:
        dt = at - s.t
        _learn_pace(s, at)
        s.exposure *= math.exp(-dt / (TAU_BREAK if s.on_break else TAU_WORK))
        # on a break the agent takes no work: the pace that loads them eases as exposure does
        s.activity *= math.exp(-dt / (TAU_BREAK if s.on_break else TAU_ACTIVITY))
        s.praise *= math.exp(-dt / TAU_PRAISE)
        s.checkin *= math.exp(-dt / TAU_CHECKIN)
        # a new agent's "usual" is learned quickly at first, then over a week
        mix = 1.0 - math.exp(-dt / min(TAU_BASELINE, max(3600.0, s.t - s.first_at)))
        s.load_base += mix * (s.open_tickets - s.load_base)
        s.t = at
    _roll_hours(s, _hour(s.t))
    _roll_days(s, _day(s.t))


def _learn_pace(s: AgentState, at: float) -> None:
    """The usual pace is learned over working time only, so nights do not make days look busy.

    Called before the decay: the pace of the interval is its mean, activity decaying from s.t.
    """
    work = 0.0 if s.on_break else max(0.0, min(at, s.last_activity + WORK_TAIL) - s.t)
    if work > 0.0:
        mean = s.activity * TAU_ACTIVITY / work * (1.0 - math.exp(-work / TAU_ACTIVITY))
        mix = 1.0 - math.exp(-work / min(TAU_PACE, max(3600.0, s.worked)))
        s.activity_base += mix * (mean - s.activity_base)
        s.worked += work


def _hour(at: float) -> int:
    return int(at // 3600)


def _day(at: float) -> int:
    return int(at // 86400)


def _roll_hours(s: AgentState, hour: int) -> None:
    for _ in range(min(max(hour - s.hour, 0), HOURS)):
        s.customers.pop(0), s.hostiles.pop(0)
        s.customers.append(0), s.hostiles.append(0)
    s.hour = max(s.hour, hour)


def _roll_days(s: AgentState, day: int) -> None:
    for _ in range(min(max(day - s.day, 0), DAYS)):
        s.week_exposure.pop(0)
        s.week_exposure.append(0.0)
    if day > s.day:
        s.praise_today = 0
    s.day = max(s.day, day)


def _slot(s: AgentState, at: float, hours: bool = True) -> int | None:
    """Index in the hour (or day) ring for time at, None when it has rolled out."""
    back = (s.hour - _hour(at)) if hours else (s.day - _day(at))
    size = HOURS if hours else DAYS
    return None if back < 0 or back >= size else size - 1 - back


def _touch(s: AgentState, at: float) -> None:
    """Work activity: after a long gap the agent starts a fresh, rested shift."""
    if at - s.last_activity > SHIFT_GAP and not s.on_break:
        s.last_break_end = max(s.last_break_end, at)
        s.shift_start = at
    s.last_activity = max(s.last_activity, at)


def _on_message(s: AgentState, e: Event) -> None:
    _touch(s, e.at)
    if e.sender != "customer":
        return
    late = max(s.t - e.at, 0.0)
    decay = math.exp(-late / TAU_WORK)
    s.activity += math.exp(-late / TAU_ACTIVITY)
    slot = _slot(s, e.at)
    if slot is not None:
        s.customers[slot] += 1
        s.hostiles[slot] += int(e.hostile)
    weight = severity(e.anger) if (e.hostile or e.anger >= 0.3) else 0.0
    s.exposure += weight * decay
    day_slot = _slot(s, e.at, hours=False)
    if day_slot is not None:
        s.week_exposure[day_slot] += weight
    if e.anger >= SEVERE_ANGER and e.hostile:
        s.last_severe_at = max(s.last_severe_at, e.at)
    if e.hostile:
        _remember_hostile(s, e.at)
    if e.hostile and e.ticket:
        s.last_hostile_ticket = e.ticket
    if e.praise >= 0.5:
        s.praise += math.exp(-max(s.t - e.at, 0.0) / TAU_PRAISE)
        if _day(e.at) == s.day:
            s.praise_today += 1


def _remember_hostile(s: AgentState, at: float) -> None:
    s.recent_hostile = sorted([*s.recent_hostile, at])[-RECENT:]


def _forget_hostile(s: AgentState, at: float) -> None:
    near = [t for t in s.recent_hostile if abs(t - at) < 0.5]
    if near:
        s.recent_hostile = [t for t in s.recent_hostile if t is not near[0]]


def _on_correction(s: AgentState, e: Event) -> None:
    """An agent marked a score wrong: take the message's contribution out (or put it in)."""
    original = e.value if e.value is not None else e.at
    sign = -1.0 if not e.hostile else 1.0
    weight = _correction_weight(e.anger, e.hostile)
    s.exposure = max(0.0, s.exposure + sign * weight * math.exp(-max(s.t - original, 0) / TAU_WORK))
    slot = _slot(s, original)
    if slot is not None:
        s.hostiles[slot] = max(0, s.hostiles[slot] + int(sign))
    (_remember_hostile if e.hostile else _forget_hostile)(s, original)
    day_slot = _slot(s, original, hours=False)
    if day_slot is not None:
        s.week_exposure[day_slot] = max(0.0, s.week_exposure[day_slot] + sign * weight)


def _correction_weight(anger: float, hostile: bool) -> float:
    """Exposure a corrected message moves: all it added, or what a hostile one lacked."""
    applied = severity(anger) if anger >= 0.3 else 0.0
    if not hostile:
        return severity(anger)
    return max(0.0, severity(max(anger, 0.8)) - applied)


def _on_assigned(s: AgentState, e: Event) -> None:
    _touch(s, e.at)
    s.open_tickets += 1
    if s.load_base == 0.0:
        s.load_base = float(s.open_tickets)


def _on_solved(s: AgentState, e: Event) -> None:
    _touch(s, e.at)
    s.open_tickets = max(0, s.open_tickets - 1)


def _on_break_start(s: AgentState, e: Event) -> None:
    s.on_break = True


def _on_break_end(s: AgentState, e: Event) -> None:
    if s.on_break:
        s.on_break = False
        s.last_break_end = max(s.last_break_end, e.at)


def _on_checkin(s: AgentState, e: Event) -> None:
    value = min(5.0, max(1.0, float(e.value or 3)))
    s.checkin_value, s.checkin_at = value, e.at
    s.checkin = 1.0


_HANDLERS = {"message": _on_message, "assigned": _on_assigned, "solved": _on_solved,
             "break_start": _on_break_start, "break_end": _on_break_end,
             "checkin": _on_checkin, "correction": _on_correction}


def minutes_since_break(s: AgentState, at: float) -> int:
    """Working minutes since the last break or the start of the shift (0 when off shift)."""
    if s.on_break or s.events == 0 or at - s.last_activity > SHIFT_GAP:
        return 0
    working_until = min(at, s.last_activity + WORK_TAIL)
    return int(max(0.0, working_until - s.last_break_end) // 60)


def assess(state: AgentState, at: float) -> Assessment:
    """The agent's strain at time `at` (state decayed lazily, the state itself unchanged)."""
    s = apply(state, Event("tick", max(at, state.t), state.agent)) if state.events else state
    s.events = state.events
    parts = _parts(s, at)
    relief = PRAISE_RELIEF * (1.0 - math.exp(-s.praise / 2.0))
    raw = 100.0 * sum(WEIGHTS[name] * value for name, value in parts.items()) - relief
    strain = round(min(100.0, max(0.0, raw)), 1)
    level = next(name for floor, name in LEVELS if strain >= floor)
    recent = [t for t in s.recent_hostile if at - WINDOW < t <= at]
    hostile_2h = max(len(recent), sum(s.hostiles[-2:]))  # the ring is a lower bound
    return Assessment(
        agent=s.agent, at=at, strain=strain, level=level,
        factors=_factors(s, at, parts, hostile_2h, recent), basis=_basis(s, at),
        parts={k: round(v, 3) for k, v in parts.items()}, open_tickets=s.open_tickets,
        customer_messages_24h=sum(s.customers), hostile_24h=sum(s.hostiles),
        hostile_2h=hostile_2h, on_break=s.on_break,
        minutes_since_break=minutes_since_break(s, at), praise_today=s.praise_today,
        exposure_week=round(sum(s.week_exposure), 3), last_severe_at=s.last_severe_at,
        last_hostile_ticket=s.last_hostile_ticket,
        shift_minutes=_shift_minutes(s, at), shift_start=s.shift_start,
        checkin_at=s.checkin_at)


def _shift_minutes(s: AgentState, at: float) -> int:
    if not s.shift_start or at - s.last_activity > SHIFT_GAP:
        return 0
    return int(max(0.0, at - s.shift_start) // 60)


def _parts(s: AgentState, at: float) -> dict[str, float]:
    """Each part in 0..1: hostile exposure, load against one's usual, no break, self-report."""
    exposure = 1.0 - math.exp(-s.exposure / EXPOSURE_SCALE)
    open_ratio = s.open_tickets / max(s.load_base, MIN_USUAL_OPEN)
    activity_ratio = s.activity / max(s.activity_base, MIN_USUAL_PACE)
    load = min(1.0, max(0.0, max(open_ratio, activity_ratio) - LOAD_SLACK))
    no_break = min(1.0, max(0.0, (minutes_since_break(s, at) - 90) / 150))
    checkin = max(0.0, (3.0 - s.checkin_value) / 2.0) * s.checkin if s.checkin_value else 0.0
    return {"exposure": exposure, "load": load, "no_break": no_break, "checkin": checkin}


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def _hostile_words(count: int, recent: list[float], at: float) -> str:
    """Say "3 hostile messages in the last 40 min" (exact while the recent times cover them)."""
    plural = "s" if count > 1 else ""
    if count == len(recent) and count > 1:
        minutes = max(5, -(-int(at - recent[0]) // 300) * 5)  # rounded up to 5 min
        if minutes < 120:
            return f"{count} hostile messages in the last {_duration(minutes)}"
    if count == 1 and recent:
        return f"a hostile message {_duration(max(1, int(at - recent[-1]) // 60))} ago"
    return f"{count} hostile message{plural} in the last 2 h"


def _factors(s: AgentState, at: float, parts: dict, hostile_2h: int,
             recent: list[float]) -> list[str]:
    factors = []
    if hostile_2h:
        factors.append(_hostile_words(hostile_2h, recent, at))
    elif parts["exposure"] >= 0.2:
        factors.append("hostile messages earlier today still weigh in")
    minutes = minutes_since_break(s, at)
    if s.on_break:
        factors.append("on a break now")
    elif minutes >= 60:
        factors.append(f"{_duration(minutes)} since your last break")
    ratio = s.open_tickets / max(s.load_base, MIN_USUAL_OPEN)
    if ratio >= 1.5:
        factors.append(f"{s.open_tickets} open tickets, {ratio:.1f}x your usual")
    pace = s.activity / max(s.activity_base, MIN_USUAL_PACE)
    if pace >= 1.5:
        factors.append(f"customer messages at {pace:.1f}x your usual pace")
    if parts["checkin"] >= 0.2:
        factors.append(f"you checked in at {int(s.checkin_value)}/5")
    if s.praise_today:
        factors.append(f"{s.praise_today} thankful customer{'s' if s.praise_today > 1 else ''} "
                       "today")
    if not factors:
        factors.append("a calm stretch: no hostile messages in the last 2 h")
    return factors


def _basis(s: AgentState, at: float) -> dict:
    days = max(0.0, (at - s.first_at) / 86400) if s.events else 0.0
    if s.events < 20 or days < 1:
        confidence = "low"
    elif days < 5:
        confidence = "medium"
    else:
        confidence = "high"
    return {"events": s.events, "days_observed": round(days, 1), "confidence": confidence}


_FIELDS = frozenset(AgentState.__dataclass_fields__)
_ROUNDED = ("t", "exposure", "activity", "activity_base", "load_base", "praise", "checkin",
            "worked")
LAYOUT = 2  # the first item of a stored state: its fields, in this order, follow
_LAYOUT_FIELDS = tuple(AgentState.__dataclass_fields__)  # new fields go at the end only
_ROUNDED_AT = tuple(_LAYOUT_FIELDS.index(name) + 1 for name in _ROUNDED)
_WEEK_AT = _LAYOUT_FIELDS.index("week_exposure") + 1
_RECENT_AT = _LAYOUT_FIELDS.index("recent_hostile") + 1
_LAYOUT_VALUES = operator.attrgetter(*_LAYOUT_FIELDS)
_LAYOUT_LENGTH = len(_LAYOUT_FIELDS) + 1


def dumps(state: AgentState) -> bytes:
    """Compact JSON: `[LAYOUT, agent, t, exposure, ...]`, the fields in their declared order
    without their names (about half the bytes of an object; decision 50). Readable in
    redis-cli; `loads` also reads the older object form. Values are rounded as before, so a
    state reads back the same whichever form stored it; whole numbers (zeros, timestamps),
    which rounding leaves unchanged, skip it (it was a quarter of the cost of storing a state).
    """
    values = [LAYOUT, *_LAYOUT_VALUES(state)]
    for at in _ROUNDED_AT:
        value = values[at]
        if value % 1:
            values[at] = round(value, 5)
    values[_WEEK_AT] = [v if v % 1 == 0 else round(v, 4) for v in values[_WEEK_AT]]
    values[_RECENT_AT] = [v if v % 1 == 0 else round(v, 3) for v in values[_RECENT_AT]]
    return orjson.dumps(values)


def loads(data: bytes) -> AgentState:
    """The state `dumps` wrote (or an older version's JSON object); fields this version does
    not know are dropped, missing ones take their defaults."""
    raw = orjson.loads(data)
    if isinstance(raw, list):
        if not raw or raw[0] != LAYOUT:
            raise ValueError(f"strain state in an unknown layout: {bytes(data[:20])!r}")
        if len(raw) == _LAYOUT_LENGTH:  # every field present: no __init__, no interim dict
            state = object.__new__(AgentState)
            state.__dict__.update(zip(_LAYOUT_FIELDS, islice(raw, 1, None), strict=True))
            return state
        raw = dict(zip(_LAYOUT_FIELDS, islice(raw, 1, None), strict=False))
    elif not _FIELDS.issuperset(raw):
        raw = {k: v for k, v in raw.items() if k in _FIELDS}
    if len(raw) == len(_FIELDS):
        state = object.__new__(AgentState)  # every field present: no __init__ needed
        state.__dict__.update(raw)
        return state
    return AgentState(**raw)


def is_current(data: bytes) -> bool:
    """Whether a stored state is in this version's layout (not an older JSON object)."""
    return data[:1] == b"["
