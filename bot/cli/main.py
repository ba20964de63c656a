"""`cqcbot`: the one command-line app; each command group lives in its own module and registers here."""

from __future__ import annotations

import typer

from bot.cli import assess, db, delivery, evidence, figures, manifest, plan, reports, rounds, schedule, serve, signoff

# Locals in a traceback could print secrets (the app password, a database URL): never show them.
app = typer.Typer(
    help="CQC Improvement Bot", no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False
)
for group in (serve, db, plan, manifest, delivery, rounds, schedule, figures, reports, assess, evidence, signoff):
    group.register(app)


def main() -> None:
    app()
