"""`cqcbot signoff plan|show`: the chair signs off the plan; what has drifted since, for scrutiny."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.console import err, load_settings, out, run_async
from bot.runtime import utc_now
from bot.services.readiness import load_readiness
from bot.services.signoff import sign_off_plan
from bot.settings import Settings
from storage.schema_check import NoPlanYet, ready_database


async def _sign(settings: Settings, by: str, out: Console, err: Console) -> int:
    async with ready_database(settings.database_url) as sessions:
        outcome = await sign_off_plan(sessions, by, now=utc_now(), timezone=settings.timezone)
    (out if outcome.ok else err).print(outcome.message, markup=False, highlight=False)
    return 0 if outcome.ok else 1


async def _show(settings: Settings, out: Console) -> int:
    async with ready_database(settings.database_url) as sessions, sessions() as session:
        projection = await load_readiness(session, settings.timezone)
    if projection is None:
        raise NoPlanYet
    if projection.signoff is None:
        out.print("The plan has not been signed off yet: `cqcbot signoff plan --by CHAIR-EMAIL`.")
        return 0
    out.print(projection.signoff, markup=False, highlight=False)
    for line in projection.drift_lines:
        out.print(f"  {line}", markup=False, highlight=False)
    return 0


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Plan sign-off by the chair, and the drift since.", no_args_is_help=True)
    app.add_typer(group, name="signoff")

    @group.command("plan")
    def sign(by: Annotated[str, typer.Option(help="The chair's email")]) -> None:
        """Sign off the plan as it stands: a snapshot with the date and the signer (audited)."""
        raise typer.Exit(run_async(_sign(load_settings(), by, out, err), err))

    @group.command("show")
    def show() -> None:
        """When the plan was signed off and by whom; the actions added and changed since."""
        raise typer.Exit(run_async(_show(load_settings(), out), err))
