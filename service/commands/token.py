"""`breather token --agent zendesk:7 --role agent --ttl 8h`: a service token for scripts and the
standalone page (the helpdesk apps obtain theirs without anyone seeing it)."""

from __future__ import annotations

import re

import click

from service.auth import ROLES, TokenError, issue_token
from service.commands.common import load_settings

_DURATION = re.compile(r"^(?P<number>\d+)(?P<unit>[smhd]?)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 1}


class Duration(click.ParamType):
    """A time span like 90s, 30m, 8h or 7d (a bare number is seconds)."""

    name = "duration"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        match = _DURATION.match(str(value).strip().lower())
        if not match or int(match["number"]) == 0:
            self.fail(f"{value!r} is not a duration like 90s, 30m, 8h or 7d", param, ctx)
        return int(match["number"]) * _SECONDS[match["unit"]]


@click.command()
@click.option("--agent", required=True, help="The agent id the token names, e.g. zendesk:7.")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
@click.option("--ttl", type=Duration(), default="12h", show_default=True,
              help="How long the token is valid: 90s, 30m, 8h, 7d (at most 30d).")
@click.option("--team", default=None, help="The team a lead leads (required with --role lead).")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True,
              help="Where Breather is served, for the widget link.")
def token(agent: str, role: str, ttl: int, team: str | None, base_url: str) -> None:
    """Print a token, then the link to the standalone widget page that uses it."""
    from urllib.parse import urlencode

    settings = load_settings()
    try:
        value = issue_token(settings.secret, agent, role=role, ttl=ttl, team=team)
    except TokenError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(value)
    click.echo(f"{base_url.rstrip('/')}/widget?{urlencode({'agent': agent, 'token': value})}")
