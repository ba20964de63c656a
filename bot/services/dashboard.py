"""The dashboard tab's use cases: the plan table with its filters, one person's actions, the round.

Every page starts from the month's digest input (storage.digest_queries, a fixed dozen statements)
so the tab, the digest and the board paper always agree; only an action's history has its own queries.
Filtering and sorting are plain functions of that data and the query string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.services.reporting import default_month
from domain.digest import RAG_ORDER
from domain.digest_model import ActionState, DigestInput
from domain.model import Rag
from storage.digest_queries import load_digest_input
from storage.engine import Session

SORT_KEYS = ("ref", "theme", "owner", "due", "rag", "updated")
RAG_FILTERS = (*(rag.value for rag in RAG_ORDER), "none")


@dataclass(frozen=True)
class PlanFilter:
    """What the plan table shows, as the URL's query string says (unknown values are ignored)."""

    theme: str = ""
    rag: str = ""  # a Rag value, or "none" for not yet rated
    owner: str = ""  # an owner's email
    overdue: bool = False
    sort: str = "ref"
    descending: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, themes: Sequence[str], owners: Sequence[str]) -> PlanFilter:
        sort = query.get("sort", "ref")
        return cls(
            theme=value if (value := query.get("theme", "")) in themes else "",
            rag=value if (value := query.get("rag", "")) in RAG_FILTERS else "",
            owner=value if (value := query.get("owner", "").lower()) in owners else "",
            overdue=query.get("overdue") == "1",
            sort=sort if sort in SORT_KEYS else "ref",
            descending=query.get("order") == "desc",
        )

    def query(self, **changes: object) -> str:
        """The query string of this filter with ``changes`` applied (for links that keep the rest)."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "theme": chosen.theme,
            "rag": chosen.rag,
            "owner": chosen.owner,
            "overdue": "1" if chosen.overdue else "",
            "sort": "" if chosen.sort == "ref" else chosen.sort,
            "order": "desc" if chosen.descending else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def sorted_by(self, key: str) -> str:
        """The link of a column header: that column ascending, or reversed when already sorted by it."""
        return self.query(sort=key, descending=not self.descending if self.sort == key else False)

    @property
    def active(self) -> bool:
        return bool(self.theme or self.rag or self.owner or self.overdue)


@dataclass(frozen=True)
class PlanRow:
    ref: str
    theme_id: str
    theme_name: str
    requirement: str
    owner_name: str
    owner_email: str
    due: date | None
    rag: Rag | None
    last_update: date | None
    progress: str
    overdue: bool  # past its due date and not complete
    asked: bool  # in this month's round
    answered: bool

    # What the table prints, worked out once here rather than by template macros on every row
    # (a 2,000-row plan renders in a fraction of the time).
    @property
    def rag_key(self) -> str:
        return self.rag.value if self.rag else "none"

    @property
    def rag_text(self) -> str:
        return rag_text(self.rag)

    @property
    def due_text(self) -> str:
        return day_text(self.due)

    @property
    def updated_text(self) -> str:
        return day_text(self.last_update)


def rag_text(rag: Rag | None) -> str:
    return rag.label.split(" — ")[0] if rag else "Not rated"


def day_text(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "—"


@dataclass(frozen=True)
class ThemeTable:
    theme_id: str
    name: str
    counts: tuple[tuple[Rag | None, int], ...]
    rows: tuple[PlanRow, ...]


def _row(action: ActionState, theme_names: Mapping[str, str], today: date) -> PlanRow:
    return PlanRow(
        ref=action.ref,
        theme_id=action.theme_id,
        theme_name=theme_names.get(action.theme_id, action.theme_id),
        requirement=action.requirement,
        owner_name=action.owner_name,
        owner_email=action.owner_email,
        due=action.revised_due or action.due,
        rag=action.rag,
        last_update=action.progress_date,
        progress=action.progress,
        overdue=(action.revised_due or action.due or date.max) < today and action.rag is not Rag.COMPLETE,
        asked=action.asked,
        answered=action.answered,
    )


def plan_rows(data: DigestInput, today: date) -> list[PlanRow]:
    names = {theme.id: theme.name for theme in data.themes}
    return [_row(action, names, today) for action in data.actions]


def _matches(row: PlanRow, chosen: PlanFilter) -> bool:
    if chosen.theme and row.theme_id != chosen.theme:
        return False
    if chosen.rag and (row.rag.value if row.rag else "none") != chosen.rag:
        return False
    if chosen.owner and row.owner_email.lower() != chosen.owner:
        return False
    return not (chosen.overdue and not row.overdue)


_RAG_RANK = {rag: index for index, rag in enumerate(RAG_ORDER)}


def _sort_key(key: str, row: PlanRow) -> tuple[object, ...]:
    # Empty values sort last whichever way, so "due" puts undated actions at the end.
    if key == "theme":
        return (row.theme_name, row.ref)
    if key == "owner":
        return (row.owner_name.lower(), row.ref)
    if key == "due":
        return (row.due is None, row.due or date.max, row.ref)
    if key == "rag":
        return (row.rag is None, _RAG_RANK.get(row.rag, 9) if row.rag else 9, row.ref)
    if key == "updated":
        return (row.last_update is None, row.last_update or date.min, row.ref)
    return (_ref_key(row.ref),)


def _ref_key(ref: str) -> tuple[object, ...]:
    """WWP-2 before WWP-10."""
    prefix, _, number = ref.rpartition("-")
    return (prefix, int(number), "") if number.isdigit() else (ref, 0, ref)


def plan_tables(data: DigestInput, chosen: PlanFilter, today: date) -> list[ThemeTable]:
    """Per theme, in the plan's order: the RAG counts of all its actions and the rows the filter keeps."""
    rows = plan_rows(data, today)
    kept = sorted((r for r in rows if _matches(r, chosen)), key=lambda r: _sort_key(chosen.sort, r))
    if chosen.descending:
        kept.reverse()
    tables = []
    for theme in data.themes:
        counts = {rag: 0 for rag in (*RAG_ORDER, None)}
        for row in rows:
            if row.theme_id == theme.id:
                counts[row.rag] += 1
        tables.append(
            ThemeTable(
                theme.id,
                theme.name,
                tuple((rag, n) for rag, n in counts.items() if n),
                tuple(r for r in kept if r.theme_id == theme.id),
            )
        )
    return tables


def my_rows(data: DigestInput, email: str, today: date) -> list[PlanRow]:
    """The signed-in owner's actions: those asked this round and not yet answered first."""
    mine = [r for r in plan_rows(data, today) if r.owner_email.lower() == email.lower()]
    return sorted(mine, key=lambda r: (not (r.asked and not r.answered), r.rag is Rag.COMPLETE, _ref_key(r.ref)))


def owners(data: DigestInput) -> list[tuple[str, str]]:
    """(email, name) of everyone who owns an action, by name."""
    seen = {a.owner_email.lower(): a.owner_name for a in data.actions}
    return sorted(seen.items(), key=lambda item: item[1].lower())


@dataclass(frozen=True)
class Today:
    month: str
    date: date


async def current_month(session: Session, now: datetime, timezone: str) -> Today:
    return Today(await default_month(session, now, timezone), now.astimezone(ZoneInfo(timezone)).date())


async def month_data(session: Session, month: str, now: datetime) -> DigestInput | None:
    """The month as the digest sees it (the pages compose only what they show from it)."""
    return await load_digest_input(session, month, now)
