"""`cqcbot plan show`: the stored plan as readable tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from dialogs.formatting import plain_number
from domain import model

RAG_STYLE = {model.Rag.GREEN: "green", model.Rag.AMBER: "yellow", model.Rag.RED: "red", model.Rag.COMPLETE: "blue"}


def render_plan(plan: model.Plan, console: Console) -> None:
    people = {p.email: p.name for p in plan.people}
    statements = {q.id: q for t in plan.themes for q in t.quality_statements}
    console.print(f"[bold]{plan.organisation}[/bold]  (time zone {plan.timezone})")
    console.print(
        f"{len(plan.themes)} themes · {len(statements)} quality statements · "
        f"{len(plan.actions)} actions · {len(plan.metrics)} metrics · {len(plan.people)} people"
    )

    areas = Table(title="CQC themes and quality statements", show_lines=False)
    for column in ("Theme", "Quality statement", "Score"):
        areas.add_column(column)
    for theme in plan.themes:
        for position, statement in enumerate(theme.quality_statements):
            areas.add_row(theme.name if position == 0 else "", statement.name, f"{statement.score} / 4")
    console.print(areas)

    for theme in plan.themes:
        actions = [a for a in plan.actions if a.theme == theme.id]
        table = Table(title=f"{theme.name} — {len(actions)} improvement requirements", show_lines=True)
        for column, options in (
            ("Ref", {"no_wrap": True}),
            ("Improvement requirement", {"ratio": 3}),
            ("Quality statement", {"ratio": 1}),
            ("Owner", {"ratio": 1}),
            ("Due", {"no_wrap": True}),
            ("Status", {}),
            ("RAG", {}),
        ):
            table.add_column(column, **options)
        for action in actions:
            rag = action.rag
            action_statement = statements.get(action.quality_statement or "")
            table.add_row(
                action.ref,
                action.requirement,
                action_statement.name if action_statement else "",
                people.get(action.owner, action.owner),
                action.due.isoformat() if action.due else "",
                action.status.label,
                f"[{RAG_STYLE[rag]}]{rag.value.capitalize()}[/]" if rag else "—",
            )
        console.print(table)

    if plan.metrics:
        metrics = Table(title="Targets: waiting lists and DoLS")
        for column in ("Metric", "Unit", "Better", "Baseline", "Target", "Owner"):
            metrics.add_column(column)
        for metric in plan.metrics:
            metrics.add_row(
                metric.name,
                metric.unit,
                "lower" if metric.direction is model.Direction.DOWN else "higher",
                f"{plain_number(metric.baseline.value)} on {metric.baseline.date}",
                f"{plain_number(metric.target.value)} by {metric.target.date}",
                people.get(metric.owner, metric.owner),
            )
        console.print(metrics)
