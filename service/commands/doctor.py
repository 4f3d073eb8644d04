"""`breather doctor`: is Redis there, can each configured helpdesk be reached, do its
credentials work? One cheap request per source; says exactly what is wrong; exits 1 if anything is.
"""

from __future__ import annotations

import sys

import click

from service.commands.common import load_settings, redis_for

CREDENTIALS = {"zendesk": "ZENDESK_EMAIL and ZENDESK_TOKEN (or ZENDESK_OAUTH_TOKEN)",
               "freshdesk": "FRESHDESK_API_KEY"}
LOCATION = {"zendesk": "ZENDESK_URL or ZENDESK_SUBDOMAIN",
            "freshdesk": "FRESHDESK_URL or FRESHDESK_DOMAIN"}


@click.command()
@click.option("--timeout", default=10.0, show_default=True, help="Seconds per request.")
def doctor(timeout: float) -> None:
    """Check Redis and each configured helpdesk's reachability and credentials."""
    settings = load_settings()
    failures = 0
    redis, line = _check_redis(settings)
    failures += _report("redis", line, ok=redis is not None)
    if not settings.sources:
        failures += _report("helpdesk", "none configured: set ZENDESK_URL or ZENDESK_SUBDOMAIN "
                            "(with ZENDESK_EMAIL and ZENDESK_TOKEN), or FRESHDESK_DOMAIN (with "
                            "FRESHDESK_API_KEY)", ok=False)
    for source in settings.sources:
        ok, line = check_source(settings, source, timeout)
        failures += _report(source, line, ok=ok)
        if redis is not None:
            _streams(redis, source)
    if failures:
        click.echo(f"{failures} problem(s) found", err=True)
        sys.exit(1)
    click.echo("all checks passed")


def check_source(settings, source: str, timeout: float) -> tuple[bool, str]:
    """(ok, one line saying what works or exactly what is wrong)."""
    from connectors import errors
    from workers.poll import build_client

    client = build_client(settings, source, timeout=timeout, max_retries=0)
    url = client.http.base_url
    try:
        who = client.check()
    except errors.AuthError as exc:
        return False, (f"{url} refused the credentials ({_status(exc)}): check "
                       f"{CREDENTIALS[source]} and that the user may read tickets")
    except errors.NotFoundError:
        return False, f"{url} has no {source} API (HTTP 404): check {LOCATION[source]}"
    except errors.RateLimited as exc:
        return True, f"reachable at {url}, but rate limited now (retry in {exc.retry_after:.0f}s)"
    except errors.ConnectorError as exc:
        return False, f"cannot use {url}: {exc} (check {LOCATION[source]} and the network)"
    budget = client.http.budget
    left = "" if budget.left() is None else (
        f"; rate budget {budget.left()} of {budget.limit:.0f} left this minute"
        if budget.limit else f"; {budget.left()} requests left this minute")
    return True, f"reachable at {url}, authenticated as {who}{left}"


def _check_redis(settings):
    try:
        redis = redis_for(settings)
    except click.ClickException as exc:
        return None, exc.message
    where = settings.redis_url or f"embedded ({settings.data_dir}/redis)"
    return redis, f"reachable at {where}"


def _streams(redis, source: str) -> None:
    """What the pollers know: bookmarks and streams parked after refused credentials."""
    from workers import bookmarks
    from workers.poll import STREAMS

    for stream in STREAMS[source]:
        reason = bookmarks.stopped_reason(redis, source, stream)
        if reason:
            click.echo(f"  warn  {source}/{stream} is paused: {reason}")
        elif bookmarks.get_bookmark(redis, source, stream) is None:
            click.echo(f"  info  {source}/{stream} has not been polled yet")


def _status(exc: Exception) -> str:
    text = str(exc)
    return "HTTP 403" if "HTTP 403" in text else "HTTP 401" if "HTTP 401" in text else text


def _report(name: str, line: str, ok: bool) -> int:
    click.echo(f"{'ok  ' if ok else 'FAIL'}  {name}: {line}")
    return 0 if ok else 1
