"""`breather report`: every known agent's current state, for operators and scripts."""

from __future__ import annotations

import json

import click

from service.commands.common import load_settings, redis_for
from workers import agents
from workers.clock import current_time

COLUMNS = ("agent", "name", "team", "open_tickets", "customer_messages", "hostile_messages",
           "strain", "level")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def report(as_json: bool) -> None:
    """Print every known agent's current strain state."""
    settings = load_settings()
    r = redis_for(settings)
    now = current_time(r, settings.clock)
    views = agents.all_views(r, now)
    if as_json:
        click.echo(json.dumps(views, ensure_ascii=False, default=str))
        return
    if not views:
        click.echo("no agents yet: run `breather sync --once` first")
        return
    click.echo("  ".join(f"{c:>17}" if c != "factors" else c for c in COLUMNS))
    for view in views:
        click.echo("  ".join(f"{str(view[c])[:17]:>17}" for c in COLUMNS))
