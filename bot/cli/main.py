"""`cqcbot`: the one command-line app; each command group lives in its own module and registers here."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from bot.cli import assess, db, delivery, evidence, figures, manifest, plan, reports, rounds, schedule, serve, signoff
from bot.cli.boundary import run_guarded
from bot.cli.console import err

# Locals in a traceback could print secrets (the app password, a database URL): never show them.
app = typer.Typer(
    help="CQC Improvement Bot", no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False
)
for group in (serve, db, plan, manifest, delivery, rounds, schedule, figures, reports, assess, evidence, signoff):
    group.register(app)


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected error, and debug logs")
    ] = False,
) -> None:
    """CQC Improvement Bot"""
    if debug:
        logging.basicConfig(level=logging.DEBUG)


def main() -> None:
    sys.exit(run_guarded(lambda args: app(args=args, prog_name="cqcbot"), sys.argv[1:], err))
