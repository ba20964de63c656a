"""Commands people give about themselves and the plan: away, back, delegate, the channel summary."""

from __future__ import annotations

from datetime import date

from bot.services.base import LocalService
from bot.services.checkin import Sender
from dialogs.commands import Command
from domain.checkin import may_update
from domain.summary import summarise, summary_markdown
from storage import people
from storage import progress as store
from storage.plan_queries import load_plan

NOT_IN_PLAN = (
    "I can't find you in the improvement plan. If you should be in it, ask the plan's admin to check "
    "your email address in the plan."
)


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


class AccountService(LocalService):
    async def away(self, sender: Sender, command: Command) -> str:
        if command.problem or command.away_until is None:
            return command.problem or "Please say until when, e.g. away until 2026-12-31."
        if command.away_until < self._today():
            return f"{_long(command.away_until)} has already passed. Please give a date from today on."
        async with self._sessions.begin() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return NOT_IN_PLAN
            await people.set_away(session, person, command.away_until, now=self._clock())
        return (
            f"Noted — you're away until {_long(command.away_until)}. I won't send you prompts or reminders "
            "until then, and the chair can see you're away. Type **back** if you return sooner."
        )

    async def back(self, sender: Sender) -> str:
        async with self._sessions.begin() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return NOT_IN_PLAN
            if person.away_until is None or person.away_until < self._today():
                return "Welcome back — you weren't marked as away, so nothing has changed."
            await people.set_away(session, person, None, now=self._clock())
        return "Welcome back! Prompts and reminders are on again. Type **my actions** to catch up."

    async def delegate(self, sender: Sender, command: Command) -> str:
        if command.problem or not command.action_ref or not command.email:
            return command.problem or "Please write it as: delegate WWP-01 to name@council.gov.uk"
        async with self._sessions.begin() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return NOT_IN_PLAN
            context = await store.action_context(session, command.action_ref)
            if context is None:
                return f"There is no action {command.action_ref} in the plan. Type **status** to see yours."
            actor = person.actor
            # Delegating is for the owner (or an admin), not for another delegate.
            if not may_update(actor, owner_email=context.owner.email, delegate_emails=frozenset()):
                return f"Only {context.owner.name}, the owner of {context.action.ref}, or an admin can delegate it."
            delegate = await people.person_by_email(session, command.email)
            if delegate is None:
                return (
                    f"{command.email} isn't in the improvement plan, so I can't let them update "
                    f"{context.action.ref}. Ask the plan's admin to add them to the plan's people first."
                )
            added = await people.add_delegate(
                session, context.action.id, context.action.ref, delegate, actor=person.email, now=self._clock()
            )
        if not added:
            return f"{delegate.name} can already update {command.action_ref}."
        return f"Done — {delegate.name} can now update {command.action_ref} as well as you."

    async def channel_summary(self) -> str:
        async with self._sessions() as session:
            plan = await load_plan(session)
        if plan is None:
            return "No improvement plan has been loaded yet."
        return summary_markdown(summarise(plan.themes, plan.actions, today=self._today()), plan.organisation)
