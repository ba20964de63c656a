"""A realistic progress prompt, its last update and a good answer, shared by the card and form tests."""

from __future__ import annotations

from datetime import date

from dialogs.progress import LastUpdateView, ProgressPromptView
from domain.model import Rag

TODAY = date(2026, 2, 4)
NHS = "943 476 5919"  # passes the modulus-11 check

LAST = LastUpdateView(
    rag=Rag.AMBER,
    narrative="Supervision audit completed for 40 cases; 31 met the standard. Re-audit booked.",
    evidence_links=("https://halton.sharepoint.com/sites/ASC/Shared%20Documents/audit_q3(final).pdf",),
    blockers="Need two more senior practitioners to clear the backlog.",
    revised_due=date(2026, 4, 30),
    submitted_at_text="6 January 2026, 14:05",
    author_name="Priya Shah",
)
VIEW = ProgressPromptView(
    round_id=12,
    month="2026-02",
    deadline=date(2026, 2, 13),
    action_ref="WWP-01",
    requirement="Every social worker receives monthly recorded supervision in line with policy.",
    theme_name="Workforce and wellbeing",
    quality_statement_name="Safe systems, pathways and transitions",
    quality_statement_score=2,
    action_due=date(2026, 3, 31),
    owner_name="Priya Shah",
    last=LAST,
)
GOOD = {
    "cycle_id": 12,
    "action_ref": "WWP-01",
    "card_version": "progress-1",
    "rag": "green",
    "narrative": "  Compliance at 84% this month; four new supervisors trained.  ",
    "evidence": "https://halton.sharepoint.com/a.pdf\n\n  http://intranet.halton.gov.uk/b  \n",
    "blockers": "",
    "revised_due": "2026-05-29",
}
