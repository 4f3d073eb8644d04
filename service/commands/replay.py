"""`breather replay FILE`: what Breather would have suggested on past events (a dry run).

Reads normalised events as JSON lines (docs/replay-format.md), prints every suggestion as a JSON
line, then one line per agent with its state at the end of the replayed history (the newest event
in the file). `--summary` prints per day and team how many suggestions of each kind Breather would
have made, without agent ids. Nothing is stored. A prompt nobody answers lapses after 15 minutes,
as in the widget.
"""

from __future__ import annotations

import json
import sys

import click

from service.commands.jsonlines import parse_object, read_lines

TYPES = ("message", "assigned", "solved", "break_start", "break_end", "checkin")
BATCH = 1000


def parse_line(line: str, number: int) -> dict | str:
    """An event dict, or an error naming the line and what is wrong."""
    from workers.timeutil import parse_ts

    item = parse_object(line, number)
    if isinstance(item, str):
        return item
    if item.get("type") not in TYPES:
        return f"line {number}: 'type' must be one of {', '.join(TYPES)}"
    if not isinstance(item.get("agent"), str) or not item["agent"]:
        return f"line {number}: 'agent' is missing"
    at = parse_ts(item.get("at"))
    if at is None:
        return f"line {number}: 'at' is missing or not an ISO-8601 time"
    if item["type"] == "message" and item.get("from") not in ("customer", "agent"):
        return f"line {number}: a message needs 'from': 'customer' or 'agent'"
    value = item.get("value")
    if item["type"] == "checkin" and (not isinstance(value, int | float)
                                      or isinstance(value, bool) or not 1 <= value <= 5):
        return f"line {number}: a checkin needs a 'value' from 1 to 5"
    return {**item, "_at": at, "_line": number}


def to_events(items: list[dict]):
    """Strain events, message texts scored in batches (the text is dropped right after)."""
    from workers.strain import Event
    from workers.tone import score

    customer = [i for i in items if i["type"] == "message" and i["from"] == "customer"]
    tones = {}
    for start in range(0, len(customer), BATCH):
        chunk = customer[start:start + BATCH]
        for item, tone in zip(chunk, score([str(i.get("text") or "") for i in chunk]),
                              strict=True):
            tones[item["_line"]] = tone
    for item in sorted(items, key=_replay_order):
        tone = tones.get(item["_line"])
        yield item, Event(item["type"], item["_at"], item["agent"], team=item.get("team"),
                          ticket=item.get("ticket"), id=item.get("id") or str(item["_line"]),
                          sender=item.get("from"), anger=tone.anger if tone else 0.0,
                          praise=tone.praise if tone else 0.0,
                          hostile=bool(tone and tone.hostile),
                          value=item.get("value"))


def _replay_order(item: dict) -> tuple:
    """Time, then agent and the model's own tie-break: the order of lines never matters."""
    return (item["_at"], item["agent"], item["type"], str(item.get("id") or ""),
            str(item.get("ticket") or ""), str(item.get("from") or ""),
            str(item.get("value") or ""), item["_line"])


def simulate(items: list[dict]) -> tuple[list[tuple], dict]:
    """(agent, team, suggestion, strain) for every suggestion made, and each agent's final
    (team, assessment).

    The final states are assessed at the end of the replayed history (its newest event), so an
    agent whose last event was hours earlier is reported as they would be at that end.
    """
    from workers import strain
    from workers.suggestion_rules import Prefs, has_room, next_suggestion

    states, prefs, teams, shown, made = {}, {}, {}, set(), []
    end = 0.0
    for item, event in to_events(items):
        agent, end = event.agent, max(end, event.at)
        teams[agent] = item.get("team") or teams.get(agent)
        states[agent] = strain.apply(states.get(agent) or strain.new_state(agent), event)
        assessment = strain.assess(states[agent], event.at)
        room = sum(1 for other, team in teams.items() if other != agent and team == teams[agent]
                   and has_room(strain.assess(states[other], event.at)))
        suggestion, prefs[agent] = next_suggestion(assessment, prefs.get(agent) or Prefs(),
                                                   event.at, room)
        if suggestion is not None and suggestion.id not in shown:
            shown.add(suggestion.id)
            made.append((agent, teams[agent], suggestion, assessment.strain))
    finals = {agent: (teams.get(agent), strain.assess(state, max(end, state.t)))
              for agent, state in sorted(states.items())}
    return made, finals


def run(items: list[dict], out) -> None:
    """Every suggestion as a JSON line, then each agent's state at the end of the history."""
    from workers.timeutil import iso

    made, finals = simulate(items)
    for agent, _, suggestion, strain_now in made:
        out.write(json.dumps({"at": iso(suggestion.at), "agent": agent, "kind": suggestion.kind,
                              "reason": suggestion.reason, "title": suggestion.title,
                              "gentle": suggestion.gentle, "ticket": suggestion.ticket,
                              "strain": strain_now}, ensure_ascii=False) + "\n")
    for agent, (team, final) in finals.items():
        out.write(json.dumps({"agent": agent, "team": team, "at": iso(final.at),
                              "strain": final.strain, "level": final.level,
                              "factors": final.factors, "basis": final.basis,
                              "hostile_24h": final.hostile_24h,
                              "customer_messages_24h": final.customer_messages_24h,
                              "open_tickets": final.open_tickets,
                              "exposure_week": final.exposure_week, "final": True},
                             ensure_ascii=False) + "\n")


def summarise(items: list[dict], min_group_size: int) -> list[dict]:
    """Per day (UTC) and team: how many suggestions of each kind, and no agent ids.

    Teams with fewer agents in the file than `min_group_size` are pooled as "small teams".
    """
    from collections import Counter

    from workers.pooling import TeamPool
    from workers.suggestion_rules import KINDS
    from workers.timeutil import iso

    made, _ = simulate(items)
    team_of = {item["agent"]: item.get("team") for item in sorted(items, key=_replay_order)
               if item.get("team")}
    pool = TeamPool.from_teams((team_of.get(a) for a in {i["agent"] for i in items}),
                               min_group_size)
    counts: dict[tuple[str, str], Counter] = {}
    for _, team, suggestion, _ in made:
        key = (iso(suggestion.at)[:10], pool.label(team))
        counts.setdefault(key, Counter())[suggestion.kind] += 1
    return [{"day": day, "team": team, "agents": pool.pooled_size(team),
             "suggestions": {kind: counts[(day, team)].get(kind, 0) for kind in KINDS},
             "total": sum(counts[(day, team)].values())}
            for day, team in sorted(counts)]


@click.command()
@click.argument("file", type=click.File("rb"))
@click.option("--summary", is_flag=True,
              help="Per day and team, how many suggestions of each kind (no agent ids): the "
                   "preview a works council asks for.")
def replay(file, summary: bool) -> None:
    """Print the suggestions Breather would have made on FILE (JSON lines; - for stdin)."""
    items, errors = [], 0
    for number, line, error in read_lines(file):
        parsed = error or parse_line(line, number)
        if isinstance(parsed, str):
            errors += 1
            click.echo(f"error: {parsed}", err=True)
        else:
            items.append(parsed)
    if summary:
        from service.commands.common import load_settings

        for row in summarise(items, load_settings().min_group_size):
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        run(items, sys.stdout)
    if errors:
        click.echo(f"{errors} malformed line(s) skipped", err=True)
        sys.exit(1)
