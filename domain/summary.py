"""A short summary of the plan, for `@bot status` in the group channel."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from domain.model import Action, ActionStatus, Rag, Theme
from domain.words import counted


@dataclass(frozen=True)
class ThemeTally:
    """A theme's actions counted by RAG today, and how many are past their due date: one line of
    `@bot status` (the digest's month-on-month view of a theme is digest_model.ThemeSummary)."""

    theme: str
    total: int
    by_rag: dict[Rag | None, int]
    overdue: int


def summarise(themes: tuple[Theme, ...], actions: tuple[Action, ...], *, today: date) -> list[ThemeTally]:
    summaries = []
    for theme in themes:
        mine = [a for a in actions if a.theme == theme.id and a.status is not ActionStatus.WITHDRAWN]
        rags = Counter(Rag.COMPLETE if a.status is ActionStatus.COMPLETE else a.rag for a in mine)
        overdue = sum(1 for a in mine if a.due and a.due < today and a.status is not ActionStatus.COMPLETE)
        summaries.append(ThemeTally(theme.name, len(mine), dict(rags), overdue))
    return summaries


def summary_markdown(summaries: list[ThemeTally], organisation: str) -> str:
    """Teams renders Markdown lists in a text message, not tables: one line per theme."""
    lines = [f"**CQC Improvement Action Plan — {organisation}**", ""]
    order = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, None)
    names = {Rag.RED: "red", Rag.AMBER: "amber", Rag.GREEN: "green", Rag.COMPLETE: "complete", None: "no RAG yet"}
    for s in summaries:
        parts = [f"{s.by_rag[r]} {names[r]}" for r in order if s.by_rag.get(r)]
        overdue = f" — **{s.overdue} past due date**" if s.overdue else ""
        lines.append(f"- **{s.theme}**: {counted(s.total, 'action')}: {', '.join(parts) or 'none'}{overdue}")
    total = sum(s.total for s in summaries)
    done = sum(s.by_rag.get(Rag.COMPLETE, 0) for s in summaries)
    closing = "Owners update their actions with me in a personal chat."
    lines += ["", f"{done} of {counted(total, 'action')} complete. {closing}"]
    return "\n".join(lines)
