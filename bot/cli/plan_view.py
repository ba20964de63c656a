"""`cqcbot plan show`: the stored plan as readable tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from dialogs.formatting import plain_number
from domain import model
from domain.words import counted, plural
from storage.plan_import import ImportSummary

RAG_STYLE = {model.Rag.GREEN: "green", model.Rag.AMBER: "yellow", model.Rag.RED: "red", model.Rag.COMPLETE: "blue"}


def render_plan(plan: model.Plan, console: Console) -> None:
    people = {p.email: p.name for p in plan.people}
    statements = {q.id: q for t in plan.themes for q in t.quality_statements}
    console.print(f"[bold]{plan.organisation}[/bold]  (time zone {plan.timezone})")
    console.print(
        f"{counted(len(plan.themes), 'theme')} · {counted(len(statements), 'quality statement')} · "
        f"{counted(len(plan.actions), 'action')} · {counted(len(plan.metrics), 'metric')} · "
        f"{counted(len(plan.people), 'person')}"
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
        table = Table(title=f"{theme.name} — {counted(len(actions), 'improvement requirement')}", show_lines=True)
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


ENTITY_NOUNS = (
    ("organisation", "organisation"),
    ("person", "person"),
    ("theme", "theme"),
    ("quality_statement", "quality statement"),
    ("action", "action"),
    ("metric", "metric"),
    ("progress_update", "progress update"),
)
BLANK = "(blank)"


def shown_value(value: object) -> str:
    """A field's value in the preview: blanks visible, lists joined, long text cut."""
    if value is None or value == "" or value == []:
        return BLANK
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 70 else f"{text[:69]}…"


def render_import(summary: ImportSummary, console: Console) -> None:
    """Per entity created / updated / unchanged, each change's fields before → after, and what is kept.

    A table on a terminal; plain lines when piped, so the preview can be saved or mailed as it is.
    """
    nouns = [
        (entity, (noun if summary.seen[entity] == 1 else plural(noun)).capitalize())
        for entity, noun in ENTITY_NOUNS
        if summary.seen.get(entity)
    ]
    if console.is_terminal:
        counts = Table(title="What the import changes", show_edge=False)
        for column in ("", "created", "updated", "unchanged"):
            counts.add_column(column, justify="left" if not column else "right")
        for entity, noun in nouns:
            counts.add_row(
                noun,
                f"{summary.created.get(entity, 0):,}",
                f"{summary.updated.get(entity, 0):,}",
                f"{summary.unchanged(entity):,}",
            )
        console.print(counts)
    else:
        for entity, noun in nouns:
            console.print(
                f"{noun}: {summary.created.get(entity, 0):,} created, "
                f"{summary.updated.get(entity, 0):,} updated, {summary.unchanged(entity):,} unchanged",
                markup=False,
                highlight=False,
            )
    _render_changes(summary, console)
    for entity, noun in ENTITY_NOUNS:
        if keys := summary.kept.get(entity):
            console.print(
                f"Not in the file — kept: {counted(len(keys), noun)}: {', '.join(keys)}", markup=False, highlight=False
            )


def _render_changes(summary: ImportSummary, console: Console) -> None:
    # A first import creates everything: its field-by-field list would be the whole file again.
    updates = [c for c in summary.changes if not c.created]
    creations = [c for c in summary.changes if c.created and c.entity != "progress_update"]
    if creations and len(creations) <= 50:
        console.print("Created: " + ", ".join(f"{c.entity.replace('_', ' ')} {c.key}" for c in creations), markup=False)
    if not updates:
        return
    if console.is_terminal:
        table = Table(title="Changed fields", show_lines=False)
        for column in ("", "Id", "Field", "Before", "After"):
            table.add_column(column)
        for change in updates:
            for position, field in enumerate(change.fields):
                table.add_row(
                    change.entity.replace("_", " ") if position == 0 else "",
                    change.key if position == 0 else "",
                    field.field,
                    shown_value(field.before),
                    shown_value(field.after),
                )
        console.print(table)
        return
    for change in updates:
        console.print(f"{change.entity.replace('_', ' ')} {change.key}:", markup=False, highlight=False)
        for field in change.fields:
            console.print(
                f"  {field.field}: {shown_value(field.before)} → {shown_value(field.after)}",
                markup=False,
                highlight=False,
            )
