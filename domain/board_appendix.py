"""The board paper's Appendix Two, built from the stored replies.

Shaped as the Executive Board report has it: per CQC theme a table "Improvement requirement |
Progress" (with each action's RAG), the waiting-list and DoLS table, the nine CQC quality statement
scores, and a short summary written from the figures, so nobody retypes it each month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.digest import compose_digest
from domain.digest_model import Digest, DigestInput, MetricRow, WithdrawnAction
from domain.model import Rag
from domain.months import month_label
from domain.trajectory import MetricStatus
from domain.words import counted


@dataclass(frozen=True)
class AppendixRow:
    ref: str
    requirement: str
    progress: str  # the latest narrative, paragraphs separated by blank lines
    rag: Rag | None
    progress_date: date | None
    owner_name: str


@dataclass(frozen=True)
class AppendixTheme:
    number: int
    theme_id: str
    name: str
    rows: tuple[AppendixRow, ...]


@dataclass(frozen=True)
class AreaScore:
    theme_name: str
    name: str
    score: int  # CQC's 1 to 4


@dataclass(frozen=True)
class BoardAppendix:
    organisation: str
    month: str
    as_of: date
    summary: tuple[str, ...]  # short paragraphs
    themes: tuple[AppendixTheme, ...]
    metrics: tuple[MetricRow, ...]
    areas: tuple[AreaScore, ...]
    withdrawn: tuple[WithdrawnAction, ...] = ()

    @property
    def total_score(self) -> int:
        return sum(a.score for a in self.areas)

    @property
    def max_score(self) -> int:
        return 4 * len(self.areas)


def compose_appendix(data: DigestInput, digest: Digest | None = None) -> BoardAppendix:
    """The appendix for ``data``'s month; pass the digest if it is already composed."""
    digest = digest or compose_digest(data)
    themes = []
    for number, theme in enumerate(data.themes, start=1):
        rows = tuple(
            AppendixRow(a.ref, a.requirement, a.progress, a.rag, a.progress_date, a.owner_name)
            for a in data.actions
            if a.theme_id == theme.id
        )
        themes.append(AppendixTheme(number, theme.id, theme.name, rows))
    areas = tuple(
        AreaScore(theme.name, statement.name, statement.score)
        for theme in data.themes
        for statement in theme.quality_statements
    )
    return BoardAppendix(
        organisation=data.organisation,
        month=data.month,
        as_of=data.as_of,
        summary=summary_paragraphs(digest, areas),
        themes=tuple(themes),
        metrics=digest.metrics,
        areas=areas,
        withdrawn=data.withdrawn,
    )


def summary_paragraphs(digest: Digest, areas: tuple[AreaScore, ...] = ()) -> tuple[str, ...]:
    counts = dict(digest.totals)
    total = sum(counts.values())
    month = month_label(digest.month)
    paragraphs = [
        f"At {month}, {counts.get(Rag.COMPLETE, 0)} of the plan's {total} improvement actions are "
        f"complete; of the rest, {_rag_phrase(counts)}."
    ]
    moves = [t.improved for t in digest.themes], [t.slipped for t in digest.themes]
    completed = len(digest.completions)
    paragraphs.append(
        f"Since {month_label(digest.previous_month)}, {_count(completed, 'action')} "
        f"{'was' if completed == 1 else 'were'} completed, {sum(moves[0])} improved their rating "
        f"and {sum(moves[1])} slipped."
    )
    if digest.response is not None:
        rate = digest.response
        share = f" ({rate.share:.0%})" if rate.share is not None else ""
        paragraphs.append(
            f"Owners updated {rate.actions_answered} of the {rate.actions_asked} actions asked about this month{share}."
        )
    if digest.metrics:
        good = [m for m in digest.metrics if m.status in (MetricStatus.ON_TRACK, MetricStatus.TARGET_MET)]
        off = [m.name for m in digest.metrics if m.status is MetricStatus.OFF_TRACK]
        sentence = f"{len(good)} of the {len(digest.metrics)} waiting-list and DoLS measures are on track or at target"
        paragraphs.append(sentence + (f"; off track: {', '.join(off)}." if off else "."))
    if areas:
        total_score = sum(a.score for a in areas)
        paragraphs.append(
            f"CQC scored the {len(areas)} quality statements {total_score} of {4 * len(areas)} "
            f"({total_score / (4 * len(areas)):.0%}) in total."
        )
    return tuple(paragraphs)


def _rag_phrase(counts: dict[Rag | None, int]) -> str:
    parts = [
        _count(counts.get(rag, 0), label)
        for rag, label in (
            (Rag.GREEN, "is green"),
            (Rag.AMBER, "is amber"),
            (Rag.RED, "is red"),
            (None, "is not rated"),
        )
        if counts.get(rag, 0) or rag is not None
    ]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _count(n: int, noun: str) -> str:
    if noun.startswith("is "):
        return f"{n} {noun}" if n == 1 else f"{n} are {noun[3:]}"
    return counted(n, noun)
