"""The `breather` script's entry point: catch stop signals first, then import the command.

The click group in service/cli.py imports click and more before any of its code runs; a SIGTERM
in that time must already stop `breather` (service/stopping.py).
"""

from __future__ import annotations

from service import stopping


def main():
    stopping.exit_at_once()
    from service.cli import main as breather

    return breather()
