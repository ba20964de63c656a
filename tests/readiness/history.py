"""Made-up readiness history on top of the example plan and tests/digest/history.py: quarterly
self-assessments, evidence items in every category, a plan sign-off and the drift after it.

Every title, link and score below is ILLUSTRATIVE: the sources publish none of them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.evidence import EvidenceCategory
from storage import evidence, people, readiness, signoff
from storage.models import ImprovementAction

P, S, F, R = (
    EvidenceCategory.PEOPLES_EXPERIENCE,
    EvidenceCategory.STAFF_AND_LEADERS,
    EvidenceCategory.PARTNERS,
    EvidenceCategory.PROCESSES,
)
SITE = "https://halton.example/sites/asc-cqc"
# (statement, score, lead's rationale, when); assessing-needs twice, so its change shows.
ASSESSMENTS = (
    (
        "assessing-needs",
        2,
        "Waiting lists still long; named worker only in two teams.",
        datetime(2026, 2, 20, 11, tzinfo=UTC),
    ),
    (
        "assessing-needs",
        3,
        "Named worker in every team; waits down a third since September.",
        datetime(2026, 3, 27, 10, tzinfo=UTC),
    ),
    (
        "healthier-lives",
        3,
        "Carers Centre offer at both sites; prevention strategy adopted.",
        datetime(2026, 3, 27, 10, 5, tzinfo=UTC),
    ),
    (
        "equity",
        3,
        "Equality monitoring in place; seldom-heard groups plan agreed.",
        datetime(2026, 3, 27, 10, 10, tzinfo=UTC),
    ),
    ("care-provision", 2, "Market sufficiency still fragile in home care.", datetime(2026, 3, 27, 10, 15, tzinfo=UTC)),
    (
        "partnership-communities",
        3,
        "Joint commissioning board meets monthly; VCSE compact signed.",
        datetime(2026, 3, 27, 10, 20, tzinfo=UTC),
    ),
    (
        "safe-pathways",
        3,
        "Transitions protocol reviewed with children's services.",
        datetime(2026, 3, 27, 10, 25, tzinfo=UTC),
    ),
    (
        "safeguarding",
        4,
        "Section 42 feedback loop closed; audits show timely enquiries.",
        datetime(2026, 3, 27, 10, 30, tzinfo=UTC),
    ),
    (
        "governance",
        3,
        "Scrutiny board renamed and rebalanced; transformation governance set.",
        datetime(2026, 3, 27, 10, 35, tzinfo=UTC),
    ),
)
# (title, path, statements, category, date, who adds it)
ITEMS = (
    (
        "Carers survey 2026 results",
        "carers-survey-2026.pdf",
        ("healthier-lives", "equity"),
        P,
        date(2026, 3, 2),
        "sarah.whitfield",
    ),
    (
        "Named worker pilot: what people told us",
        "named-worker-feedback.docx",
        ("assessing-needs",),
        P,
        date(2026, 3, 9),
        "rachel.ahmed",
    ),
    (
        "Complaints and compliments Q4 2025/26",
        "complaints-q4.xlsx",
        ("assessing-needs", "care-provision"),
        P,
        date(2026, 4, 8),
        "priya.shah",
    ),
    (
        "Staff survey: assessment practice",
        "staff-survey-assessment.pdf",
        ("assessing-needs",),
        S,
        date(2026, 3, 16),
        "rachel.ahmed",
    ),
    (
        "Principal social worker annual report",
        "psw-annual-report.pdf",
        ("learning-improvement", "governance"),
        S,
        date(2026, 2, 27),
        "priya.shah",
    ),
    (
        "Safeguarding Adults Board partner feedback",
        "sab-partner-feedback.pdf",
        ("safeguarding",),
        F,
        date(2026, 3, 20),
        "joanne.kelly",
    ),
    (
        "Provider forum minutes, March 2026",
        "provider-forum-2026-03.docx",
        ("care-provision", "partnership-communities"),
        F,
        date(2026, 3, 24),
        "mark.doyle",
    ),
    ("Section 42 enquiry audit", "s42-audit-2026.xlsx", ("safeguarding",), R, date(2026, 3, 12), "joanne.kelly"),
    (
        "Transitions protocol (signed)",
        "transitions-protocol.pdf",
        ("safe-pathways",),
        R,
        date(2026, 2, 25),
        "gareth.hughes",
    ),
    (
        "Waiting-list recovery plan",
        "waiting-list-recovery.docx",
        ("assessing-needs",),
        R,
        date(2026, 4, 2),
        "rachel.ahmed",
    ),
    (
        "Health and Social Care PPB terms of reference",
        "hsc-ppb-tor.pdf",
        ("governance",),
        R,
        date(2026, 3, 5),
        "helen.carter",
    ),
)
PROGRESS_LINKS = (("WWP-01", f"{SITE}/named-worker-rollout.pptx"), ("SAF-04", f"{SITE}/s42-feedback-letter.docx"))
SIGNED_AT = datetime(2026, 3, 20, 12, tzinfo=UTC)
AFTER_SIGNOFF = datetime(2026, 4, 10, 9, tzinfo=UTC)


async def add_readiness(session: AsyncSession) -> None:
    """The plan must be imported; works with or without tests/digest/history.py's rounds."""

    async def person(name: str) -> people.StoredPerson:
        found = await people.person_by_email(session, f"{name}@halton.example")
        assert found is not None
        return found

    for statement, score, rationale, at in ASSESSMENTS:
        lead = await readiness.statement_lead(session, statement)
        assessor = await person(lead.split("@")[0] if lead else "priya.shah")
        await readiness.record_assessment(
            session,
            readiness.NewAssessment(statement, score, rationale, ""),
            assessor=assessor,
            source="teams",
            activity_id=None,
            now=at,
        )
    for title, path, statements, category, day, who in ITEMS:
        item = evidence.NewEvidence(title, f"{SITE}/{path}", statements, category, day)
        at = datetime(day.year, day.month, day.day, 14, tzinfo=UTC)
        await evidence.add_item(session, item, adder=await person(who), source="teams", now=at)
    actions = {a.ref: a for a in (await session.scalars(select(ImprovementAction))).all()}
    for ref, link in PROGRESS_LINKS:
        action = actions[ref]
        owner = await people.person_by_id(session, action.owner_id)
        assert owner is not None
        await evidence.harvest_progress_links(
            session,
            action_id=action.id,
            action_ref=ref,
            statement_id=action.quality_statement_id,
            links=[link],
            author=owner,
            today=date(2026, 3, 6),
            now=datetime(2026, 3, 6, 10, tzinfo=UTC),
        )
    await signoff.sign_off(session, await person("helen.carter"), now=SIGNED_AT)
    # After sign-off: a stretch action's target date moves and another changes hands.
    actions["STR-02"].due = date(2027, 3, 31)
    actions["STR-03"].owner_id = (await person("priya.shah")).id
    for action in (actions["STR-02"], actions["STR-03"]):
        action.updated_at = AFTER_SIGNOFF
    await session.flush()
