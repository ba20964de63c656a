"""Plan sign-off: the chair signs the plan as it stands (the `sign off plan` card or the CLI); the drift
since is read back for scrutiny."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.base import LocalService
from bot.services.checkin import Sender
from bot.services.evidence import Outcome
from dialogs import signoff as dialog
from dialogs.formatting import long_date
from dialogs.progress import build_refusal_card
from domain.model import Role
from domain.signoff import Signoff, fingerprint, snapshot_of
from storage import people, signoff
from storage.engine import Session, Sessions
from storage.plan_queries import load_plan

Card = dict[str, Any]


def signed_text(signed: Signoff, timezone: str) -> str:
    day = long_date(signed.signed_at.astimezone(ZoneInfo(timezone)).date())
    counts = ", ".join(f"{t['name']} {t['actions']}" for t in signed.snapshot["themes"])
    return (
        f"Plan signed off on {day} by {signed.signer_name}: {len(signed.snapshot['actions'])} actions ({counts}), "
        f"{len(signed.snapshot['metrics'])} metric targets."
    )


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
    return Outcome(True, signed_text(signed, timezone))


class SignoffService(LocalService):
    async def _chair(self, session: Session, sender: Sender) -> people.StoredPerson | Card:
        person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
        if person is None or Role.CHAIR not in person.roles:
            return build_refusal_card(
                "Only the chair signs off the plan", "Ask the working group's chair to sign it off."
            )
        return person

    async def _card(self, session: Session, notice: str = "") -> Card:
        plan = await load_plan(session)
        if plan is None:
            return build_refusal_card("No plan yet", "Import the plan with `cqcbot plan import FILE` first.")
        snapshot = snapshot_of(plan)
        latest = await signoff.latest_signoff(session)
        previous = f"Last signed off: {signed_text(latest, str(self._zone))}" if latest else ""
        return dialog.build_signoff_card(
            plan.organisation, snapshot, fingerprint(snapshot), previous=previous, notice=notice
        )

    async def card(self, sender: Sender) -> Card:
        """`sign off plan`: what the chair would sign, with the button."""
        async with self._sessions() as session:
            chair = await self._chair(session, sender)
            return chair if isinstance(chair, dict) else await self._card(session)

    async def confirm(self, sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
        """The button: signs what the card showed; a changed plan gets a fresh card, a double click one snapshot."""
        shown = dialog.parse_fingerprint(data)
        async with self._sessions.begin() as session:
            chair = await self._chair(session, sender)
            if isinstance(chair, dict):
                return chair
            plan = await load_plan(session)
            if plan is None or shown is None:
                return build_refusal_card("I can't sign that", "Type **sign off plan** for a fresh card.")
            current = fingerprint(snapshot_of(plan))
            if shown != current:
                return await self._card(
                    session, notice="The plan has changed since this card was sent: check it again."
                )
            latest = await signoff.latest_signoff(session)
            if latest is not None and fingerprint(latest.snapshot) == current:
                return dialog.build_signoff_receipt(signed_text(latest, str(self._zone)))
            signed = await signoff.sign_off(session, chair, now=self._clock())
        assert signed is not None  # the plan was loaded in the same transaction
        return dialog.build_signoff_receipt(signed_text(signed, str(self._zone)))
