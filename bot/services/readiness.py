"""CQC readiness in chat: the self-assessment card and its submission, and the readiness read model
the digest and the report show (projections side by side, sign-off drift)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.base import LocalService
from bot.services.checkin import Sender
from dialogs import readiness as dialog
from dialogs.formatting import long_date
from dialogs.progress import build_refusal_card
from domain.outbox import message_payload
from domain.planning import SelfAssessmentRequest
from domain.readiness_view import Readiness, StatementReadiness, compose_readiness, may_assess
from domain.signoff import drift_since, drift_summary
from storage import people, readiness, signoff
from storage.engine import Session
from storage.plan_queries import load_plan

Card = dict[str, Any]


async def load_readiness(session: Session, timezone: str, *, with_progress: bool = False) -> Readiness | None:
    """Every statement's readiness and, once the plan is signed off, what has drifted since."""
    statements = await readiness.load_statements(session, with_progress=with_progress)
    signed = await signoff.latest_signoff(session)
    summary: str | None = None
    lines: list[str] = []
    if signed is not None and (plan := await load_plan(session)) is not None:
        drift = drift_since(signed, plan)
        signed_on = long_date(signed.signed_at.astimezone(ZoneInfo(timezone)).date())
        summary = drift_summary(signed, drift, signed_on)
        lines = [f"{ref}: added since sign-off" for ref in drift.added]
        lines += [change.text for change in drift.changes]
        lines += [f"{ref}: removed from the plan file" for ref in drift.removed]
    return compose_readiness(statements, signoff=summary, drift_lines=lines)


def find_statement(statements: list[StatementReadiness], text: str) -> StatementReadiness | None:
    """By id, or by the start of its name, however it is cased."""
    wanted = " ".join(text.lower().split())
    for statement in statements:
        if wanted in {statement.statement_id, statement.name.lower()}:
            return statement
    starts = [s for s in statements if s.name.lower().startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


async def self_assessment_payload(request: SelfAssessmentRequest, session: Session) -> dict[str, Any]:
    """The quarterly request: a word on what is due and the card for the first statement the lead leads
    (the others come with `assess`)."""
    statements = await readiness.load_statements(session, only=request.statement_ids[0])
    text = dialog.self_assessment_request_text(request)
    if not statements:
        return message_payload(text=text)
    latest = statements[0].latest
    when = long_date(latest.assessed_at.date()) if latest else ""
    return message_payload(text=text, card=dialog.build_assess_card(statements[0], last_when=when))


class ReadinessService(LocalService):
    def _when(self, moment: datetime) -> str:
        return long_date(moment.astimezone(self._zone).date())

    def _card(self, statement: StatementReadiness, **options: Any) -> Card:
        when = self._when(statement.latest.assessed_at) if statement.latest else ""
        return dialog.build_assess_card(statement, last_when=when, **options)

    async def assess_cards(self, sender: Sender, argument: str | None) -> tuple[str | None, list[Card]]:
        """`assess` (the statements you lead) or `assess STATEMENT`: a message, and the cards to send."""
        async with self._sessions() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return _NOT_IN_PLAN, []
            statements = await readiness.load_statements(session)
        if not statements:
            return "The plan has no quality statements to assess yet.", []
        if argument:
            statement = find_statement(statements, argument)
            if statement is None:
                return f"I don't know the quality statement “{argument}”. {_choices(statements)}", []
            return None, [self._card(statement)]
        led = [s for s in statements if s.lead_email == person.email]
        if not led:
            return f"You don't lead a quality statement in the plan. {_choices(statements)}", []
        return f"Here {'is the statement' if len(led) == 1 else f'are the {len(led)} statements'} you lead:", [
            self._card(s) for s in led
        ]

    async def submit_from_card(self, sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
        parsed = dialog.parse_assessment(data)
        async with self._sessions.begin() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return build_refusal_card("I can't find you in the plan", _NOT_IN_PLAN)
            statement_id = parsed.statement_id
            found = await readiness.load_statements(session, only=statement_id) if statement_id else []
            if not found:
                return build_refusal_card("Unknown quality statement", "Type **assess** for a fresh card.")
            statement = found[0]
            if isinstance(parsed, dialog.AssessFormErrors):
                return self._card(statement, values=parsed.values, errors=parsed.errors)
            if not may_assess(person.email, person.roles, statement.lead_email):
                lead = statement.lead_name or "no lead named in the plan"
                notice = (
                    f"Only the statement's lead ({lead}), the chair or an admin can record a self-assessment. "
                    "Your text is kept below."
                )
                values = {"score": str(parsed.score), "rationale": parsed.rationale, "evidence": parsed.evidence}
                return self._card(statement, values=values, notice=notice)
            now = self._clock()
            await readiness.record_assessment(
                session,
                readiness.NewAssessment(statement.statement_id, parsed.score, parsed.rationale, parsed.evidence),
                assessor=person,
                source="teams",
                activity_id=activity_id,
                now=now,
            )
            # Only the projection is shown: no sign-off drift to read.
            projection = compose_readiness(await readiness.load_statements(session))
        summary = projection.self_assessed.summary if projection else ""
        return dialog.build_assess_receipt(
            statement, parsed, author=person.name, when=self._when(now), projection=summary
        )


def _choices(statements: list[StatementReadiness]) -> str:
    return "Type **assess** and one of: " + ", ".join(f"`{s.statement_id}`" for s in statements) + "."


_NOT_IN_PLAN = (
    "I can't find you in the improvement plan. If you lead a quality statement, ask the plan's admin to check "
    "your email address in the plan."
)
