"""`breather sandbox`: the sandbox helpdesk alone, for trying connectors and the demo."""

from __future__ import annotations

import click

from service.commands.common import stop_on_signals


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Simulated seconds per real second while catching up with the wall clock.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--history-hours", default=8.0, show_default=True, type=click.FloatRange(0, 72))
def sandbox(host: str, port: int, speed: float, seed: int, history_hours: float) -> None:
    """Serve a simulated Zendesk and Freshdesk until Ctrl-C."""
    from werkzeug.serving import make_server

    from sandbox import create_app

    app = create_app(speed=speed, seed=seed, history_hours=history_hours)
    server = make_server(host, port, app, threaded=True)
    base = f"http://{host}:{server.server_port}"
    stop_on_signals()
    try:  # Ctrl-C right after the URLs are printed stops cleanly too
        click.echo(f"sandbox Zendesk:   ZENDESK_URL={base}/zendesk")
        click.echo(f"sandbox Freshdesk: FRESHDESK_URL={base}/freshdesk")
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("sandbox stopped", err=True)
