"""The evidence library: items people add, the links owners give in progress updates, retirement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.evidence import EvidenceCategory, EvidenceItem
from storage import audit
from storage.models import EvidenceItem as EvidenceRow
from storage.models import ImprovementAction
from storage.people import StoredPerson

ITEM_FIELDS = ("title", "url", "statement_ids", "category", "month", "evidence_date", "source")


@dataclass(frozen=True)
class NewEvidence:
    title: str
    url: str
    statement_ids: tuple[str, ...]
    category: EvidenceCategory | None
    evidence_date: date
    action_id: int | None = None


def _item(row: EvidenceRow, refs: dict[int, str]) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        title=row.title,
        url=row.url,
        statement_ids=tuple(row.statement_ids or ()),
        category=EvidenceCategory(row.category) if row.category else None,
        action_ref=refs.get(row.action_id) if row.action_id else None,
        month=row.month,
        evidence_date=row.evidence_date,
        added_by=row.added_by_name,
        added_at=row.added_at,
        source=row.source,
        retired_at=row.retired_at,
        retired_reason=row.retired_reason,
    )


async def add_item(session: AsyncSession, item: NewEvidence, *, adder: StoredPerson, source: str, now: datetime) -> int:
    row = EvidenceRow(
        title=item.title,
        url=item.url,
        statement_ids=list(item.statement_ids),
        category=item.category.value if item.category else None,
        action_id=item.action_id,
        month=f"{item.evidence_date:%Y-%m}",
        evidence_date=item.evidence_date,
        added_by_id=adder.id,
        added_by_name=adder.name,
        added_at=now,
        source=source,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=adder.email,
        entity="evidence_item",
        entity_id=str(row.id),
        change="create",
        before=None,
        after=audit.snapshot(row, ITEM_FIELDS),
    )
    return row.id


async def harvest_progress_links(
    session: AsyncSession,
    *,
    action_id: int,
    action_ref: str,
    statement_id: str | None,
    links: Sequence[str],
    author: StoredPerson,
    today: date,
    now: datetime,
) -> int:
    """The links of a progress update become library items, once per action and link (an edited
    update repeats its links). Not categorised: the owner gave a link, not a CQC category."""
    if not links:
        return 0
    known = set((await session.scalars(select(EvidenceRow.url).where(EvidenceRow.action_id == action_id))).all())
    added = 0
    for url in dict.fromkeys(links):
        if url in known:
            continue
        title = f"{action_ref} progress: {url.rstrip('/').rsplit('/', 1)[-1][:200] or url[:200]}"
        item = NewEvidence(title, url, (statement_id,) if statement_id else (), None, today, action_id)
        await add_item(session, item, adder=author, source="progress", now=now)
        added += 1
    return added


async def retire_item(
    session: AsyncSession, item_id: int, reason: str, *, actor: StoredPerson, now: datetime
) -> EvidenceItem | None:
    """None when there is no such item; an item retired already stays as it was."""
    row = await session.get(EvidenceRow, item_id)
    if row is None:
        return None
    if row.retired_at is None:
        row.retired_at, row.retired_reason = now, reason
        audit.record(
            session,
            at=now,
            actor=actor.email,
            entity="evidence_item",
            entity_id=str(item_id),
            change="retire",
            before={"retired_at": None},
            after={"retired_at": now.isoformat(), "reason": reason},
        )
    return (await list_items(session, ids=[item_id], include_retired=True))[0]


async def list_items(
    session: AsyncSession,
    *,
    statement: str | None = None,
    category: EvidenceCategory | None = None,
    since: date | None = None,
    include_retired: bool = False,
    ids: Sequence[int] | None = None,
) -> list[EvidenceItem]:
    """Newest first. The statements are a short JSON list per item, filtered here on both databases."""
    query = select(EvidenceRow).order_by(EvidenceRow.evidence_date.desc(), EvidenceRow.id.desc())
    if not include_retired:
        query = query.where(EvidenceRow.retired_at.is_(None))
    if category is not None:
        query = query.where(EvidenceRow.category == category.value)
    if since is not None:
        query = query.where(EvidenceRow.evidence_date >= since)
    if ids is not None:
        query = query.where(EvidenceRow.id.in_(ids))
    rows = [r for r in (await session.scalars(query)).all() if statement is None or statement in r.statement_ids]
    action_ids = {r.action_id for r in rows if r.action_id}
    refs: dict[int, str] = {}
    if action_ids:
        query_refs = select(ImprovementAction.id, ImprovementAction.ref).where(ImprovementAction.id.in_(action_ids))
        refs = {action_id: ref for action_id, ref in (await session.execute(query_refs)).all()}
    return [_item(r, refs) for r in rows]
