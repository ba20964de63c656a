"""The evidence library's use cases: add an item (checked, never fetched), retire one, list, export a pack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.services.base import LocalService
from bot.services.checkin import Sender
from bot.services.readiness import load_readiness
from dialogs import evidence as dialog
from dialogs.progress import build_refusal_card
from domain.evidence import MAX_TITLE_CHARS, EvidenceCategory, EvidenceItem, link_problem, parse_category
from domain.evidence_pack import EvidencePack, compose_pack
from domain.model import Role
from storage import evidence, people, readiness
from storage.dashboard_queries import statement_names
from storage.engine import Session, Sessions
from storage.plan_queries import load_plan

Card = dict[str, Any]


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


def check_request(
    request: EvidenceRequest, known_statements: set[str]
) -> tuple[dict[str, str], EvidenceCategory | None]:
    """Every problem with a new item, by field, each a sentence that says what to fix."""
    problems: dict[str, str] = {}
    title = request.title.strip()
    if not title:
        problems["title"] = "Please give the item a title."
    elif len(title) > MAX_TITLE_CHARS:
        problems["title"] = f"Please shorten the title to {MAX_TITLE_CHARS} characters or fewer."
    if problem := link_problem(request.url.strip()):
        problems["url"] = problem
    unknown = [s for s in request.statements if s not in known_statements]
    if not request.statements:
        problems["statements"] = "Please name at least one quality statement it is evidence for."
    elif unknown:
        known = ", ".join(sorted(known_statements))
        problems["statements"] = f"Unknown quality statement(s): {', '.join(unknown)}. Known: {known}."
    category = parse_category(request.category)
    if category is None:
        choices = "; ".join(f"{c.value} ({c.label})" for c in EvidenceCategory)
        problems["category"] = f"{request.category!r} is not a CQC evidence category: use one of {choices}."
    return problems, category


async def add_evidence(sessions: Sessions, request: EvidenceRequest, *, source: str, now: datetime) -> Outcome:
    async with sessions.begin() as session:
        person = await people.person_by_email(session, request.by_email)
        if person is None:
            return Outcome(False, f"{request.by_email} is not a person in the plan.")
        known = {sid for sid, _ in await statement_names(session)}
        result = await _add(session, request, person, known, source, now)
    return result if isinstance(result, Outcome) else Outcome(False, " ".join(result.values()))


async def _add(
    session: Session,
    request: EvidenceRequest,
    person: people.StoredPerson,
    known: set[str],
    source: str,
    now: datetime,
) -> Outcome | dict[str, str]:
    """The item added (or found already there: a double click adds one), or the problems by field."""
    problems, category = check_request(request, known)
    if problems or category is None:
        return problems
    url = request.url.strip()
    for stored in await evidence.list_items(session, category=category):
        if stored.url == url and set(stored.statement_ids) == set(request.statements):
            return Outcome(True, f"{stored.title} is already in the library (item {stored.id}).")
    item = evidence.NewEvidence(request.title.strip(), url, request.statements, category, request.evidence_date)
    item_id = await evidence.add_item(session, item, adder=person, source=source, now=now)
    return Outcome(True, f"Added evidence item {item_id}: {item.title} ({category.label}).")


class EvidenceService(LocalService):
    """`evidence add` in chat: the card, and what it sends back."""

    async def _statements(self, session: Session) -> list[tuple[str, str]]:
        return await statement_names(session)

    async def card(self, sender: Sender) -> Card | str:
        async with self._sessions() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return _NOT_IN_PLAN
            statements = await self._statements(session)
        if not statements:
            return "The plan has no quality statements yet, so there is nothing to file evidence under."
        return dialog.build_evidence_card(statements, values={"evidence_date": self._today().isoformat()})

    async def submit_from_card(self, sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
        form = dialog.read_evidence_form(data)
        async with self._sessions.begin() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return build_refusal_card("I can't find you in the plan", _NOT_IN_PLAN)
            statements = await self._statements(session)
            request = EvidenceRequest(
                form.values.get("title", ""),
                form.values.get("url", ""),
                form.statements,
                form.values.get("category", ""),
                form.evidence_date or self._today(),
                person.email,
            )
            known = {sid for sid, _ in statements}
            if form.date_problem:  # nothing is stored under a date the person did not give
                problems, _ = check_request(request, known)
                errors = {**problems, "evidence_date": form.date_problem}
                return dialog.build_evidence_card(statements, values=form.values, errors=errors)
            result = await _add(session, request, person, known, "teams", self._clock())
            if isinstance(result, dict):
                return dialog.build_evidence_card(statements, values=form.values, errors=result)
        return dialog.build_evidence_receipt("Evidence added", result.message)


_NOT_IN_PLAN = "I can't find you in the improvement plan. Ask the plan's admin to check your email address in the plan."


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
        projection = await load_readiness(session, timezone, with_progress=True)
        figures = await readiness.figure_lines(session)
    if plan is None or projection is None:
        return Outcome(False, "No plan with quality statements yet: import one with `cqcbot plan import FILE`.")
    if statement is not None and statement not in {s.statement_id for s in projection.statements}:
        known = ", ".join(s.statement_id for s in projection.statements)
        return Outcome(False, f"Unknown quality statement {statement!r}. Known: {known}.")
    return compose_pack(plan.organisation, today, projection, figures, only=statement)
