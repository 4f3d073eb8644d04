"""`breather token AGENT`: a widget link for one agent (for set-up and support)."""

from __future__ import annotations

import click

from service.auth import issue_token
from service.commands.common import load_settings


@click.command()
@click.argument("agent")
@click.option("--ttl-hours", default=12, show_default=True, type=click.IntRange(1, 24 * 30))
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
def token(agent: str, ttl_hours: int, base_url: str) -> None:
    """Print an agent token and the widget URL that uses it."""
    from urllib.parse import urlencode

    settings = load_settings()
    value = issue_token(settings.secret, agent, ttl=ttl_hours * 3600)
    click.echo(value)
    click.echo(f"{base_url.rstrip('/')}/widget?{urlencode({'agent': agent, 'token': value})}")
