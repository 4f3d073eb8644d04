"""`breather erase AGENT`: delete everything Breather keeps about one agent."""

from __future__ import annotations

import json

import click

from service.commands.common import load_settings, redis_for


@click.command()
@click.argument("agent")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(agent: str, yes: bool) -> None:
    """Erase AGENT's data (strain, prompts, scores attributed to them, offers, profile)."""
    from workers.erase import erase_agent

    if not yes:
        click.confirm(f"Erase everything Breather keeps about {agent}?", abort=True)
    click.echo(json.dumps(erase_agent(redis_for(load_settings()), agent)))
