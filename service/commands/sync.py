"""`breather sync --once`: poll every configured source up to now, process it all, summarise."""

from __future__ import annotations

import sys
from datetime import UTC

import click

from service.commands.common import load_settings, redis_for


@click.command()
@click.option("--once", is_flag=True, help="Poll up to now, process everything, then exit.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Backfill from this date (UTC) instead of the saved bookmarks.")
def sync(once: bool, since) -> None:
    """Poll the configured helpdesks and process what they return."""
    if not once:
        raise click.UsageError(
            "continuous polling runs as `breather scheduler` plus `breather worker`; "
            "use `breather sync --once` for a one-off sync")
    settings = load_settings()
    if not settings.sources:
        raise click.ClickException(
            "no helpdesk configured: set ZENDESK_URL or ZENDESK_SUBDOMAIN (with ZENDESK_EMAIL and "
            "ZENDESK_TOKEN), or FRESHDESK_DOMAIN (with FRESHDESK_API_KEY)")
    r = redis_for(settings)
    from workers.poll import sync_once

    progress = _progress_printer() if sys.stderr.isatty() else None
    since = since.replace(tzinfo=UTC) if since is not None else None
    summary = sync_once(settings, r, since=since, progress=progress)
    processed, failed = _drain(settings, r)
    if progress:
        click.echo("", err=True)
    click.echo(_summary_line(summary, processed, failed))
    errors = summary.get("errors") or []
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if failed or errors:
        sys.exit(1)


def _drain(settings, r) -> tuple[int, int]:
    """Run the queued process jobs here and now, without forking."""
    from rq import Queue

    from workers.rq_workers import SimpleWorker

    queue = Queue(settings.queue_name, connection=r)
    failed_before = queue.failed_job_registry.count
    jobs = queue.count
    SimpleWorker([queue], connection=r).work(burst=True, logging_level="WARNING")
    return jobs, queue.failed_job_registry.count - failed_before


def _summary_line(summary: dict, processed: int, failed: int) -> str:
    parts = [f"{key} {value}" for key, value in summary.items()
             if isinstance(value, int | float) and not isinstance(value, bool)]
    parts.append(f"jobs {processed}")
    if failed:
        parts.append(f"failed jobs {failed}")
    return "synced: " + ", ".join(parts)


def _progress_printer():
    def show(info: dict) -> None:
        text = ", ".join(f"{k} {v}" for k, v in info.items())
        click.echo(f"\r\x1b[K{text}", nl=False, err=True)

    return show
