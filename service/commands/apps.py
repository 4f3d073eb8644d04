"""`breather apps package` builds the Zendesk and Freshdesk app zips (checked offline first);
`breather apps pair AGENT` prints a personal code for Freshdesk's strict mode."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import click

from service.commands.common import load_settings


@click.group()
def apps() -> None:
    """The helpdesk sidebar apps (docs/install-apps.md)."""


@apps.command()
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="folder for the zip files")
@click.option("--url", default=None, help="Breather's https URL, written into the Zendesk "
              "manifest (without it, the app asks for it at installation)")
def package(out_dir: Path, url: str | None) -> None:
    """Build breather-zendesk.zip and breather-freshdesk.zip."""
    from service import app_package as pkg

    if url and (urlparse(url).scheme != "https" or not urlparse(url).netloc):
        raise click.BadParameter(f"{url!r} is not an https URL", param_hint="--url")
    for folder in ("zendesk-app", "freshdesk-app"):
        if not (pkg.DEPLOY / folder / "manifest.json").is_file():
            raise click.ClickException(f"{pkg.DEPLOY / folder} not found: run this command "
                                       "from a Breather checkout")
    builds = {"zendesk": pkg.zendesk_files(url), "freshdesk": pkg.app_files(pkg.DEPLOY /
                                                                           "freshdesk-app")}
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind, files in builds.items():
        try:
            pkg.check(kind, files)
        except pkg.PackageError as exc:
            raise click.ClickException(str(exc)) from None
        target = out_dir / f"breather-{kind}.zip"
        target.write_bytes(pkg.zip_bytes(files))
        click.echo(f"{target} ({target.stat().st_size} bytes, {len(files)} files)")


@apps.command()
@click.argument("agent")
def pair(agent: str) -> None:
    """A personal pairing code for AGENT (like freshdesk:7), valid 180 days, for strict mode."""
    from service.apps import pairing_code

    if not agent.startswith("freshdesk:") or not agent.split(":", 1)[1]:
        raise click.BadParameter(f"{agent!r} is not a Freshdesk agent id like freshdesk:7",
                                 param_hint="AGENT")
    click.echo(pairing_code(load_settings().secret, agent))
