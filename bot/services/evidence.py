"""The evidence library's use cases: add an item (checked, never fetched), retire one, list, export a pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.services.readiness import load_readiness
from domain.evidence import MAX_TITLE_CHARS, EvidenceCategory, EvidenceItem, link_problem, parse_category
from domain.evidence_pack import EvidencePack, compose_pack
from domain.model import Role
from storage import evidence, people, readiness
from storage.engine import Sessions
from storage.plan_queries import load_plan


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


@dataclass(frozen=True)
class EvidenceRequest:
    title: str
    url: str
    statements: tuple[str, ...]
    category: str
    evidence_date: date
    by_email: str


def check_request(request: EvidenceRequest, known_statements: set[str]) -> tuple[list[str], EvidenceCategory | None]:
    """Every problem with a new item, each a sentence that says what to fix."""
    problems = []
    title = request.title.strip()
    if not title:
        problems.append("Please give the item a title.")
    elif len(title) > MAX_TITLE_CHARS:
        problems.append(f"Please shorten the title to {MAX_TITLE_CHARS} characters or fewer.")
    if problem := link_problem(request.url.strip()):
        problems.append(problem)
    if not request.statements:
        problems.append("Please name at least one quality statement it is evidence for.")
    unknown = [s for s in request.statements if s not in known_statements]
    if unknown:
        problems.append(
            f"Unknown quality statement(s): {', '.join(unknown)}. Known: {', '.join(sorted(known_statements))}."
        )
    category = parse_category(request.category)
    if category is None:
        choices = "; ".join(f"{c.value} ({c.label})" for c in EvidenceCategory)
        problems.append(f"{request.category!r} is not a CQC evidence category: use one of {choices}.")
    return problems, category


async def add_evidence(sessions: Sessions, request: EvidenceRequest, *, source: str, now: datetime) -> Outcome:
    async with sessions.begin() as session:
        person = await people.person_by_email(session, request.by_email)
        if person is None:
            return Outcome(False, f"{request.by_email} is not a person in the plan.")
        known = {s.statement_id for s in await readiness.load_statements(session)}
        problems, category = check_request(request, known)
        if problems or category is None:
            return Outcome(False, " ".join(problems))
        item = evidence.NewEvidence(
            request.title.strip(), request.url.strip(), request.statements, category, request.evidence_date
        )
        item_id = await evidence.add_item(session, item, adder=person, source=source, now=now)
    return Outcome(True, f"Added evidence item {item_id}: {item.title} ({category.label}).")


async def retire_evidence(sessions: Sessions, item_id: int, reason: str, by_email: str, *, now: datetime) -> Outcome:
    if not reason.strip():
        return Outcome(False, "Please say why the item is retired (--reason): the library keeps it, with the reason.")
    async with sessions.begin() as session:
        person = await people.person_by_email(session, by_email)
        if person is None:
            return Outcome(False, f"{by_email} is not a person in the plan.")
        if not person.roles & {Role.CHAIR, Role.ADMIN}:
            return Outcome(False, "Only the chair or an admin can retire evidence.")
        item = await evidence.retire_item(session, item_id, reason.strip(), actor=person, now=now)
    if item is None:
        return Outcome(False, f"There is no evidence item {item_id}.")
    return Outcome(True, f"Evidence item {item_id} ({item.title}) is retired; it stays in the library's history.")


async def list_evidence(
    sessions: Sessions,
    *,
    statement: str | None,
    category: EvidenceCategory | None,
    since: date | None,
    include_retired: bool,
) -> list[EvidenceItem]:
    async with sessions() as session:
        return await evidence.list_items(
            session, statement=statement, category=category, since=since, include_retired=include_retired
        )


async def load_pack(sessions: Sessions, *, statement: str | None, timezone: str, today: date) -> EvidencePack | Outcome:
    """The pack for every statement or one; bot.reports renders it."""
    async with sessions() as session:
        plan = await load_plan(session)
        projection = await load_readiness(session, timezone)
        figures = await readiness.figure_lines(session)
    if plan is None or projection is None:
        return Outcome(False, "No plan with quality statements yet: import one with `cqcbot plan import FILE`.")
    if statement is not None and statement not in {s.statement_id for s in projection.statements}:
        known = ", ".join(s.statement_id for s in projection.statements)
        return Outcome(False, f"Unknown quality statement {statement!r}. Known: {known}.")
    return compose_pack(plan.organisation, today, projection, figures, only=statement)
