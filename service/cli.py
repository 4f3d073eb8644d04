"""The `breather` command. Subcommands are imported lazily, so `breather anger` does not pay for
Flask and `breather --help` stays fast. Each command lives in service/commands/<name>.py.
"""

from __future__ import annotations

from service import stopping

if __name__ == "__main__":  # `python -m service.cli`; the `breather` script: service/entry.py
    stopping.exit_at_once()  # before anything slow is imported (see service/stopping.py)

import importlib  # noqa: E402

import click  # noqa: E402

COMMANDS: dict[str, str] = {
    "demo": "service.commands.demo:demo",
    "serve": "service.commands.ops:serve",
    "worker": "service.commands.ops:worker",
    "scheduler": "service.commands.ops:scheduler",
    "sync": "service.commands.sync:sync",
    "report": "service.commands.report:report",
    "doctor": "service.commands.doctor:doctor",
    "anger": "service.commands.anger:anger",
    "apps": "service.commands.apps:apps",
    "replay": "service.commands.replay:replay",
    "sandbox": "service.commands.sandbox:sandbox",
    "token": "service.commands.token:token",
    "erase": "service.commands.erase:erase",
    "evidence": "service.commands.evidence:evidence_command",
    "export": "service.commands.export:export",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand only when it is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context):
        """Run the command; a stop signal while it imports or starts ends it with one line."""
        with stopping.exit_on_stop():
            return super().invoke(ctx)


@click.group(cls=LazyGroup)
@click.version_option(package_name="breather")
def main() -> None:
    """Breather: load and hostile-exposure estimates, and break suggestions agents control."""


if __name__ == "__main__":
    main()
