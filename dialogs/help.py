"""What the bot can do, as Teams shows it (Markdown in a text message)."""

from __future__ import annotations

PERSONAL_HELP = """\
**CQC Improvement Bot** — I run the CQC Improvement Action Plan with you each month.

Each month I send every action owner a card for each of their improvement actions. Fill it in \
(RAG status, progress, evidence, blockers) and press **Submit**: you can edit it until the deadline.

Things you can type here:
- **help** — this message
- **my actions** — cards for your open actions, to update at any time
- **status** — your actions with their latest RAG status
- **figures** — the waiting-list and DoLS figures card, if you report figures
- **away until 2026-12-31** — no prompts or reminders while you are away; **back** when you return
- **delegate WWP-01 to name@council.gov.uk** — let a colleague update one of your actions
- **digest** / **post digest** — for the chair: preview or post the digest (**digest January 2027** for another month)
- **resend to Rachel Ahmed** — for the chair: send someone this round's prompts again (once)
- **assess** (or **assess safeguarding**) — for quality statement leads: record a self-assessed score
- **sign off plan** — for the chair: see what you would sign, and sign off the plan
- **evidence add** — add a document to the CQC evidence library (title, link, statements, category)
"""

CHANNEL_HELP = """\
**CQC Improvement Bot** — I post the monthly digest of the CQC Improvement Action Plan here.

Mention me with **status** for a short summary of the plan. Owners update their actions with me \
in a personal chat.
"""


def help_text(*, personal: bool, not_understood: str | None = None) -> str:
    intro = f"Sorry, I didn't understand “{not_understood}”.\n\n" if not_understood else ""
    return intro + (PERSONAL_HELP if personal else CHANNEL_HELP)
