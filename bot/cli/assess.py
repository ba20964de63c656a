"""`cqcbot assess record|show`: quality statement self-assessments and the rating they project."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.console import err, load_settings, out, run_async
from bot.runtime import utc_now
from bot.services.readiness import load_readiness
from bot.settings import Settings
from dialogs.readiness import AssessFormErrors, parse_assessment
from domain.readiness_view import Readiness, compose_readiness, may_assess
from storage import people, readiness
from storage.schema_check import NoPlanYet, ready_database


async def record(
    settings: Settings, statement: str, score: str, rationale: str, evidence: str, by: str, err: Console, out: Console
) -> int:
    # The card's checks, so the CLI accepts exactly what Teams accepts.
    parsed = parse_assessment({"statement_id": statement, "score": score, "rationale": rationale, "evidence": evidence})
    if isinstance(parsed, AssessFormErrors):
        for message in parsed.errors.values():
            err.print(message, style="red", markup=False, highlight=False)
        return 2
    async with ready_database(settings.database_url) as sessions, sessions.begin() as session:
        person = await people.person_by_email(session, by)
        if person is None:
            err.print(f"[red]{by} is not a person in the plan.[/red]")
            return 1
        found = await readiness.load_statements(session, only=statement)
        if not found:
            known = ", ".join(s.statement_id for s in await readiness.load_statements(session))
            err.print(f"[red]Unknown quality statement {statement!r}. Known: {known}.[/red]")
            return 1
        if not may_assess(person.email, person.roles, found[0].lead_email):
            err.print("[red]Only the statement's lead, the chair or an admin can record a self-assessment.[/red]")
            return 1
        await readiness.record_assessment(
            session,
            readiness.NewAssessment(statement, int(score), rationale.strip(), evidence.strip()),
            assessor=person,
            source="cli",
            activity_id=None,
            now=utc_now(),
        )
        projection = compose_readiness(await readiness.load_statements(session))
    out.print(f"Recorded {found[0].name}: {score} of 4, by {person.name}.", markup=False, highlight=False)
    if projection:
        out.print(f"Self-assessed projection: {projection.self_assessed.summary}", markup=False, highlight=False)
    return 0


def print_readiness(projection: Readiness, out: Console) -> None:
    table = Table(title="CQC readiness")
    for heading in ("Statement", "Lead", "CQC", "Self-assessed", "Change", "Evidence", "Thin in", "Stretch"):
        table.add_column(heading)
    for s in projection.statements:
        change = "" if s.change is None else f"{s.change:+d}"
        table.add_row(
            s.name,
            s.lead_name or "",
            str(s.cqc_score),
            str(s.latest.score) if s.latest else "not yet",
            change,
            str(sum(1 for item in s.evidence if item.live)),
            ", ".join(c.label for c in s.thin),
            ", ".join(a.ref for a in s.stretch_actions),
        )
    out.print(table)
    out.print(f"CQC's scores: {projection.cqc.summary}", markup=False, highlight=False)
    out.print(
        f"Self-assessed ({projection.assessed} of {len(projection.statements)} statements assessed): "
        f"{projection.self_assessed_words}",
        markup=False,
        highlight=False,
    )
    for moves in projection.self_assessed.move_sets[:3]:
        out.print("  to reach the next band: " + "; ".join(m.text for m in moves), markup=False, highlight=False)
    if projection.signoff:
        out.print(projection.signoff, markup=False, highlight=False)
        for line in projection.drift_lines:
            out.print(f"  {line}", markup=False, highlight=False)


async def show(settings: Settings, out: Console) -> int:
    async with ready_database(settings.database_url) as sessions, sessions() as session:
        projection = await load_readiness(session, settings.timezone)
    if projection is None:
        raise NoPlanYet
    print_readiness(projection, out)
    return 0


def register(app: typer.Typer) -> None:
    assess = typer.Typer(
        help="Self-assessments of the quality statements and the rating they project.", no_args_is_help=True
    )
    app.add_typer(assess, name="assess")

    @assess.command("record")
    def assess_record(
        statement: Annotated[str, typer.Argument(help="The quality statement's id, e.g. safeguarding")],
        score: Annotated[str, typer.Option(help="1 significant shortfalls … 4 exceptional")],
        rationale: Annotated[str, typer.Option(help="Why this score")],
        by: Annotated[str, typer.Option(help="Who is assessing: the statement's lead, the chair or an admin (email)")],
        evidence: Annotated[str, typer.Option(help="The evidence it rests on")] = "",
    ) -> None:
        """Record a self-assessed score for a quality statement (kept as history, audited)."""
        raise typer.Exit(run_async(record(load_settings(), statement, score, rationale, evidence, by, err, out), err))

    @assess.command("show")
    def assess_show() -> None:
        """Per statement CQC's score and the latest self-assessment; the rating each projects."""
        raise typer.Exit(run_async(show(load_settings(), out), err))
