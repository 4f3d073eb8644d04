"""`breather export AGENT`: everything Breather keeps about one agent, as JSON (for a GDPR
access request an operator handles on the agent's behalf)."""

from __future__ import annotations

import json

import click

from service.commands.common import load_settings, redis_for


@click.command()
@click.argument("agent")
def export(agent: str) -> None:
    """Print AGENT's data as one JSON object (strain, prompt record, scores, corrections...)."""
    from workers.clock import current_time
    from workers.export import export_agent

    settings = load_settings()
    r = redis_for(settings)
    click.echo(json.dumps(export_agent(r, agent, current_time(r, settings.clock)),
                          ensure_ascii=False, default=str))
