"""The dashboard tab's use cases: the plan table with its filters, one person's actions, the round.

Every page starts from the month's digest input (storage.digest_queries, a fixed dozen statements)
so the tab, the digest and the board paper always agree; only an action's history has its own queries.
Filtering and sorting are plain functions of that data and the query string.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.services.reporting import default_month
from dialogs.digest_items import rag_word
from dialogs.formatting import short_date
from domain.digest import RAG_ORDER, RAG_RANK
from domain.digest_model import ActionState, DigestInput, WithdrawnAction
from domain.model import Rag
from storage.digest_queries import load_digest_input
from storage.engine import Session
from storage.plan_file.export import plan_document
from storage.plan_queries import load_plan, plan_progress

SORT_KEYS = ("ref", "theme", "owner", "due", "rag", "updated")
# Rows on one page of the plan table: a 2,000-action plan is read by filtering and paging, and a
# page renders in the same time whatever the plan's size.
PAGE_SIZE = 100
RAG_FILTERS = (*(rag.value for rag in RAG_ORDER), "none")
# The plan lists withdrawn actions too, marked, unless the filter keeps only one kind.
STATUS_FILTERS = ("active", "withdrawn")


@dataclass(frozen=True)
class PlanFilter:
    """What the plan table shows, as the URL's query string says (unknown values are ignored)."""

    theme: str = ""
    rag: str = ""  # a Rag value, or "none" for not yet rated
    owner: str = ""  # an owner's email
    overdue: bool = False
    stretch: bool = False  # stretch actions only
    status: str = ""  # "active", "withdrawn", or both
    sort: str = "ref"
    descending: bool = False
    page: int = 1  # of PAGE_SIZE rows, counted over the themes in the plan's order

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, themes: Sequence[str], owners: Sequence[str]) -> PlanFilter:
        sort = query.get("sort", "ref")
        return cls(
            theme=value if (value := query.get("theme", "")) in themes else "",
            rag=value if (value := query.get("rag", "")) in RAG_FILTERS else "",
            owner=value if (value := query.get("owner", "").lower()) in owners else "",
            overdue=query.get("overdue") == "1",
            stretch=query.get("stretch") == "1",
            status=value if (value := query.get("status", "")) in STATUS_FILTERS else "",
            sort=sort if sort in SORT_KEYS else "ref",
            descending=query.get("order") == "desc",
            page=int(page) if (page := query.get("page", "1")).isdigit() and 0 < int(page) < 10**6 else 1,
        )

    def query(self, **changes: object) -> str:
        """The query string of this filter with ``changes`` applied (for links that keep the rest); any
        change but of the page starts again at the first page."""
        restart = {"page": 1} if changes and "page" not in changes else {}
        chosen = replace(self, **(restart | changes))  # type: ignore[arg-type]
        pairs = {
            "theme": chosen.theme,
            "rag": chosen.rag,
            "owner": chosen.owner,
            "overdue": "1" if chosen.overdue else "",
            "stretch": "1" if chosen.stretch else "",
            "status": chosen.status,
            "sort": "" if chosen.sort == "ref" else chosen.sort,
            "order": "desc" if chosen.descending else "",
            "page": str(chosen.page) if chosen.page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def sorted_by(self, key: str) -> str:
        """The link of a column header: that column ascending, or reversed when already sorted by it."""
        return self.query(sort=key, descending=not self.descending if self.sort == key else False)

    @property
    def active(self) -> bool:
        return bool(self.theme or self.rag or self.owner or self.overdue or self.stretch or self.status)


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
    stretch: bool = False
    withdrawn: bool = False  # listed, but not rated, counted or asked about

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
    return rag_word(rag)


def day_text(day: date | None) -> str:
    # Month names spelt out by formatting, not strftime's %b, which follows the process's locale.
    return short_date(day) if day else "—"


@dataclass(frozen=True)
class ThemeTable:
    theme_id: str
    name: str
    counts: tuple[tuple[Rag | None, int], ...]
    rows: tuple[PlanRow, ...]  # on this page
    matching: int = 0  # rows the filter keeps in this theme, on every page
    before: bool = False  # when none are on this page: whether they are on an earlier one


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
        stretch=action.stretch,
    )


def _withdrawn_row(action: WithdrawnAction, theme_names: Mapping[str, str]) -> PlanRow:
    return PlanRow(
        ref=action.ref,
        theme_id=action.theme_id,
        theme_name=theme_names.get(action.theme_id, action.theme_id),
        requirement=action.requirement,
        owner_name=action.owner_name,
        owner_email=action.owner_email,
        due=action.due,
        rag=None,
        last_update=None,
        progress="",
        overdue=False,  # nobody is chased for a withdrawn action
        asked=False,
        answered=False,
        stretch=action.stretch,
        withdrawn=True,
    )


def plan_rows(data: DigestInput, today: date) -> list[PlanRow]:
    """The actions in the plan's order, then the withdrawn ones (sorting puts each in its place)."""
    names = {theme.id: theme.name for theme in data.themes}
    return [_row(action, names, today) for action in data.actions] + [
        _withdrawn_row(action, names) for action in data.withdrawn
    ]


def _matches(row: PlanRow, chosen: PlanFilter) -> bool:
    if chosen.theme and row.theme_id != chosen.theme:
        return False
    if chosen.rag and (row.withdrawn or row.rag_key != chosen.rag):
        return False
    if chosen.owner and row.owner_email.lower() != chosen.owner:
        return False
    if chosen.stretch and not row.stretch:
        return False
    if chosen.status and row.withdrawn != (chosen.status == "withdrawn"):
        return False
    return not (chosen.overdue and not row.overdue)


def _sort_key(key: str, row: PlanRow) -> tuple[object, ...]:
    # Empty values sort last whichever way, so "due" puts undated actions at the end.
    if key == "theme":
        return (row.theme_name, row.ref)
    if key == "owner":
        return (row.owner_name.lower(), row.ref)
    if key == "due":
        return (row.due is None, row.due or date.max, row.ref)
    if key == "rag":
        return (row.rag is None, RAG_RANK.get(row.rag, 9) if row.rag else 9, row.ref)
    if key == "updated":
        return (row.last_update is None, row.last_update or date.min, row.ref)
    return (_ref_key(row.ref),)


def _ref_key(ref: str) -> tuple[object, ...]:
    """WWP-2 before WWP-10."""
    prefix, _, number = ref.rpartition("-")
    return (prefix, int(number), "") if number.isdigit() else (ref, 0, ref)


@dataclass(frozen=True)
class PlanPage:
    tables: tuple[ThemeTable, ...]
    matching: int  # rows the filter keeps, on every page
    first: int  # 1-based number of this page's first row (0 when none match)
    last: int
    page: int
    pages: int


def plan_page(data: DigestInput, chosen: PlanFilter, today: date, size: int = PAGE_SIZE) -> PlanPage:
    """Per theme, in the plan's order: the RAG counts of all its actions and, of the rows the filter
    keeps (sorted within each theme), those on the chosen page."""
    rows = plan_rows(data, today)
    kept = sorted((r for r in rows if _matches(r, chosen)), key=lambda r: _sort_key(chosen.sort, r))
    if chosen.descending:
        kept.reverse()
    order = {theme.id: index for index, theme in enumerate(data.themes)}
    kept.sort(key=lambda r: order.get(r.theme_id, len(order)))  # stable: the sort holds within a theme
    pages = max(1, -(-len(kept) // size))
    page = min(chosen.page, pages)
    shown = kept[(page - 1) * size : page * size]
    counts: dict[str, dict[Rag | None, int]] = {t.id: dict.fromkeys((*RAG_ORDER, None), 0) for t in data.themes}
    for row in rows:
        if row.theme_id in counts and not row.withdrawn:  # as the digest counts them
            counts[row.theme_id][row.rag] += 1
    matching = Counter(r.theme_id for r in kept)
    first_index = {r.theme_id: i for i, r in reversed(list(enumerate(kept)))}
    tables = tuple(
        ThemeTable(
            theme.id,
            theme.name,
            tuple((rag, n) for rag, n in counts[theme.id].items() if n),
            tuple(r for r in shown if r.theme_id == theme.id),
            matching[theme.id],
            first_index.get(theme.id, 0) < (page - 1) * size,
        )
        for theme in data.themes
    )
    first = (page - 1) * size + 1 if shown else 0
    return PlanPage(tables, len(kept), first, first + len(shown) - 1 if shown else 0, page, pages)


def my_rows(data: DigestInput, email: str, today: date) -> list[PlanRow]:
    """The signed-in owner's actions: those asked this round and not yet answered first."""
    mine = [r for r in plan_rows(data, today) if r.owner_email.lower() == email.lower() and not r.withdrawn]
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


async def plan_export_document(session: Session) -> dict[str, object] | None:
    """The plan file `cqcbot plan export` writes, as its document (the caller renders the XLSX off the
    event loop); None before a plan exists."""
    plan = await load_plan(session)
    if plan is None:
        return None
    return plan_document(plan, await plan_progress(session, plan.timezone))
