"""Do breaks help? How strain moved 30 and 60 minutes after a break or cool-down was offered.

Each offer of a break or cool-down opens a follow-up: team, kind, the strain when offered, and
later the answer (accepted, declined, snoozed, or unanswered). Once 30 and then 60 minutes have
passed since the offer, the agent's strain at that moment is compared with the starting strain
and the change goes into a histogram by team, kind, outcome, horizon and starting level. Only
those histograms are kept; the follow-up itself (which names the agent) is deleted after the
60-minute reading. Comparing accepted with declined or unanswered offers at the same starting
level is an observation, not proof: people who accept may differ from those who decline.

A reading is taken just before the agent's state moves past its due time (workers/strain_store
calls `take_readings` before applying newer events), so it is exact; readings for agents with
no newer events are taken by whoever reads first (a scrape, `breather evidence`). If the state
has nevertheless moved past the due time by more than LATE_LIMIT (events applied out of order),
the reading is skipped rather than guessed, and counted as skipped.
"""

from __future__ import annotations

import bisect
import json

import redis as redis_lib

from workers import keys, strain

FOLLOWUPS = keys.FOLLOWUPS
HISTOGRAM = keys.EVIDENCE_COUNTS
SKIPPED = keys.EVIDENCE_SKIPPED
KINDS = ("cool_down", "break")
HORIZONS = (30, 60)  # minutes after the offer
CHANGE_BUCKETS = (-30.0, -20.0, -10.0, -5.0, 0.0, 5.0, 10.0, 20.0, 30.0)
ANSWERS = {"accept": "accepted", "decline": "declined", "snooze": "snoozed",
           "lapse": "unanswered"}
LATE_LIMIT = 10 * 60
UNANSWERED_AFTER = 15 * 60  # an offer lapses after 15 min (suggestion_rules.EXPIRES)
KEEP = 3 * 3600


def followup_key(suggestion_id: str) -> str:
    return keys.followup(suggestion_id)


def open_followup(r: redis_lib.Redis, suggestion: dict, agent: str, team: str | None,
                  start_strain: float, level: str) -> None:
    """A break or cool-down was offered: remember where strain stood."""
    if suggestion["kind"] not in KINDS:
        return
    record = {"agent": agent, "team": team or "", "kind": suggestion["kind"],
              "at": suggestion["at"], "strain": start_strain, "level": level, "outcome": None,
              "done": []}
    pipe = r.pipeline(transaction=True)
    pipe.set(followup_key(suggestion["id"]), json.dumps(record), ex=KEEP, nx=True)
    pipe.zadd(FOLLOWUPS, {suggestion["id"]: suggestion["at"] + HORIZONS[0] * 60}, nx=True)
    pipe.execute()


def answer_followup(r: redis_lib.Redis, suggestion_id: str, response: str) -> None:
    """The agent answered (or the offer lapsed); a missing follow-up is simply not kept."""
    key = followup_key(suggestion_id)
    raw = r.get(key)
    if raw is None or response not in ANSWERS:
        return
    record = json.loads(raw)
    if record["outcome"] is None:
        record["outcome"] = ANSWERS[response]
        r.set(key, json.dumps(record), keepttl=True)


def resolve_due(r: redis_lib.Redis, now: float) -> int:
    """Take every reading that is due by `now`; returns how many were taken."""
    taken = 0
    for member, due in r.zrangebyscore(FOLLOWUPS, "-inf", now, withscores=True):
        if r.zrem(FOLLOWUPS, member):  # claimed: no other reader takes the same reading
            taken += _read(r, member.decode(), due)
    return taken


def take_readings(r: redis_lib.Redis, states: dict[str, strain.AgentState],
                  first_at: dict[str, float]) -> int:
    """Readings due before each agent's first new event, from the states not yet moved past it.

    One ZRANGEBYSCORE when nothing is due, so a page of many agents pays one round trip.
    """
    taken = 0
    while first_at:
        claimed = []
        for member, due in r.zrangebyscore(FOLLOWUPS, "-inf", max(first_at.values()),
                                           withscores=True):
            suggestion_id = member.decode()
            agent = _agent_of(r, suggestion_id)
            if agent in first_at and due <= first_at[agent] and r.zrem(FOLLOWUPS, member):
                claimed.append((suggestion_id, due, agent))
        if not claimed:
            return taken
        for suggestion_id, due, agent in claimed:  # the 60-min one may be due too: loop
            taken += _read(r, suggestion_id, due, states[agent])
    return taken


def any_due(r: redis_lib.Redis, by: float) -> bool:
    """Whether any reading is due by `by`: one ZRANGEBYSCORE of at most one member, so a page
    whose agents have nothing due never works out each agent's first event."""
    return bool(r.zrangebyscore(FOLLOWUPS, "-inf", by, start=0, num=1))


def _agent_of(r: redis_lib.Redis, suggestion_id: str) -> str | None:
    raw = r.get(followup_key(suggestion_id))
    return json.loads(raw)["agent"] if raw else None


def _read(r: redis_lib.Redis, suggestion_id: str, due: float,
          state: strain.AgentState | None = None) -> int:
    raw = r.get(followup_key(suggestion_id))
    if raw is None:
        return 0
    record = json.loads(raw)
    horizon = HORIZONS[len(record["done"])]
    if state is None:
        state_raw = r.get(keys.strain(record["agent"]))
        state = strain.loads(state_raw) if state_raw else None
    outcome = record["outcome"] or "unanswered"
    if state is None or state.t - due > LATE_LIMIT:
        r.hincrby(SKIPPED, f"{record['kind']}|{outcome}", 1)
        taken = 0
    else:
        change = strain.assess(state, due).strain - record["strain"]
        r.hincrby(HISTOGRAM, _field(record, outcome, horizon, change), 1)
        r.hincrbyfloat(HISTOGRAM, _field(record, outcome, horizon, "sum"), change)
        taken = 1
    record["done"].append(horizon)
    if len(record["done"]) < len(HORIZONS):
        r.set(followup_key(suggestion_id), json.dumps(record), keepttl=True)
        r.zadd(FOLLOWUPS, {suggestion_id: record["at"] + HORIZONS[len(record["done"])] * 60})
    else:
        r.delete(followup_key(suggestion_id))
    return taken


def _field(record: dict, outcome: str, horizon: int, change: float | str) -> str:
    if isinstance(change, str):
        bucket = change
    else:
        index = bisect.bisect_left(CHANGE_BUCKETS, change)
        bucket = repr(CHANGE_BUCKETS[index]) if index < len(CHANGE_BUCKETS) else "+Inf"
    return f"{record['team']}|{record['kind']}|{outcome}|{horizon}|{record['level']}|{bucket}"


def read_histograms(r: redis_lib.Redis) -> dict[tuple, dict[str, float]]:
    """{(team, kind, outcome, after_minutes, level): {bucket or "sum": value}} as stored."""
    out: dict[tuple, dict[str, float]] = {}
    for field, value in r.hgetall(HISTOGRAM).items():
        *group, bucket = field.decode().split("|")
        out.setdefault(tuple(group), {})[bucket] = float(value)
    return out


WARNING = ("This is an observation, not proof: agents who accept a break may differ from those "
           "who decline (busier queues, other shifts), and the numbers are small. Compare rows "
           "at the same starting level, and read them with the team and its works council.")
NOT_TAKEN = ("declined", "unanswered")
FEW = 10  # below this many readings a comparison says "too few to compare"


def summarise(histograms: dict[tuple, dict[str, float]], label) -> list[dict]:
    """Rows of (team label, kind, start level, minutes after): accepted vs declined/unanswered.

    `label(team)` maps a team to the label it may be shown under (small teams pooled).
    """
    sums: dict[tuple, dict[str, list[float]]] = {}
    for (team, kind, outcome, after, level), stored in histograms.items():
        group = "accepted" if outcome == "accepted" else (
            "not_taken" if outcome in NOT_TAKEN else outcome)
        key = (label(team), kind, level, int(after))
        count = sum(v for bucket, v in stored.items() if bucket != "sum")
        n_sum = sums.setdefault(key, {}).setdefault(group, [0.0, 0.0])
        n_sum[0] += count
        n_sum[1] += stored.get("sum", 0.0)
    rows = []
    for (team, kind, level, after), groups in sorted(sums.items()):
        row = {"team": team, "kind": kind, "start_level": level, "after_minutes": after}
        for group in ("accepted", "not_taken", "snoozed"):
            n, total = groups.get(group, (0.0, 0.0))
            row[group] = {"n": int(n), "mean_change": round(total / n, 1) if n else None}
        accepted, not_taken = row["accepted"], row["not_taken"]
        row["difference"] = (round(accepted["mean_change"] - not_taken["mean_change"], 1)
                             if min(accepted["n"], not_taken["n"]) >= FEW else None)
        rows.append(row)
    return rows
