"""`breather evidence`: do breaks help? Strain 30 and 60 min after accepted vs declined offers.

Team aggregates only (small teams pooled), with sample sizes and a plain warning that this is
an observation, not proof.
"""

from __future__ import annotations

import json

import click

from service.commands.common import load_settings, redis_for
from workers import agents, evidence
from workers.clock import current_time
from workers.pooling import TeamPool


def _change(group: dict) -> str:
    if not group["n"]:
        return "   none"
    return f"{group['mean_change']:+6.1f} (n={group['n']})"


def _line(row: dict) -> str:
    diff = row["difference"]
    verdict = (f"difference {diff:+.1f} points" if diff is not None
               else f"too few to compare (fewer than {evidence.FEW} in a group)")
    return (f"{row['team']:<14} {row['kind']:<9} from {row['start_level']:<8} "
            f"after {row['after_minutes']:>2} min: accepted {_change(row['accepted'])}, "
            f"declined or unanswered {_change(row['not_taken'])}; {verdict}")


@click.command("evidence")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evidence_command(as_json: bool) -> None:
    """How strain moved after accepted breaks and cool-downs vs declined or unanswered ones."""
    settings = load_settings()
    r = redis_for(settings)
    evidence.resolve_due(r, current_time(r, settings.clock))
    teams = [agents.agent_profile(r, agent)["team"] for agent in agents.agent_ids(r)]
    pool = TeamPool.from_teams(teams, settings.min_group_size)
    rows = evidence.summarise(evidence.read_histograms(r), pool.label)
    skipped = sum(int(v) for v in r.hvals(evidence.SKIPPED))
    if as_json:
        click.echo(json.dumps({"warning": evidence.WARNING, "unit": "strain index points (0-100)",
                               "min_group_size": settings.min_group_size,
                               "skipped_readings": skipped, "rows": rows}, ensure_ascii=False))
        return
    click.echo("Do breaks help? Mean change of the strain index (0-100) after a break or "
               "cool-down was offered, by team and starting level.")
    click.echo(f"Warning: {evidence.WARNING}")
    if not rows:
        click.echo("No readings yet: they start 30 min after the first break or cool-down offer.")
    for row in rows:
        click.echo(_line(row))
    if skipped:
        click.echo(f"{skipped} reading(s) skipped: the agent's state had already moved on.")
