"""Plan sign-off: the chair signs the plan as it stands; the drift since is read back for scrutiny."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.evidence import Outcome
from dialogs.formatting import long_date
from domain.model import Role
from storage import people, signoff
from storage.engine import Sessions


async def sign_off_plan(sessions: Sessions, by_email: str, *, now: datetime, timezone: str) -> Outcome:
    async with sessions.begin() as session:
        person = await people.person_by_email(session, by_email)
        if person is None:
            return Outcome(False, f"{by_email} is not a person in the plan.")
        if Role.CHAIR not in person.roles:
            return Outcome(False, "Only the chair signs off the plan.")
        signed = await signoff.sign_off(session, person, now=now)
    if signed is None:
        return Outcome(False, "No plan yet: import one with `cqcbot plan import FILE`.")
    day = long_date(now.astimezone(ZoneInfo(timezone)).date())
    counts = ", ".join(f"{t['name']} {t['actions']}" for t in signed.snapshot["themes"])
    return Outcome(
        True,
        f"Plan signed off on {day} by {person.name}: {len(signed.snapshot['actions'])} actions ({counts}), "
        f"{len(signed.snapshot['metrics'])} metric targets.",
    )
