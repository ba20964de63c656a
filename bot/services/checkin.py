"""The monthly check-in over Teams: answering card actions and the owner's commands with cards.

Plain arguments in, card JSON out: the activity handler does the Bot Framework part.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.base import LocalService
from bot.services.tab_links import TabLinks
from dialogs import card_data
from dialogs import progress as cards
from dialogs.formatting import month_label
from domain.calendar import WorkingCalendar
from domain.checkin import RoundState, may_update, overdue_since, round_state, status_after
from domain.planning import Round
from domain.schedule import next_round
from storage import people, rounds
from storage import progress as store
from storage.engine import Session, Sessions
from storage.idempotency import claim_all, submission_keys
from storage.people import StoredPerson

Card = dict[str, Any]


@dataclass(frozen=True)
class Sender:
    """Who pressed the button, as Teams says."""

    user_id: str | None
    aad_object_id: str | None
    name: str | None


def _local_text(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


class CheckinService(LocalService):
    def __init__(
        self, sessions: Sessions, clock: Callable[[], datetime], timezone: str, tab: TabLinks | None = None
    ) -> None:
        super().__init__(sessions, clock, timezone)
        self._calendar = WorkingCalendar(timezone)
        self._tab = tab  # the dashboard tab, when Teams can open it: the receipt links the action's history

    def _history_url(self, ref: str) -> str | None:
        return self._tab.action(ref) if self._tab is not None else None

    # ---- building prompt cards -------------------------------------------------------------

    async def _next_round(self, session: Session) -> tuple[int, str, date]:
        """Between rounds an update counts for the next round (the planner counts it when that round
        opens): it can be changed until that round's deadline."""
        opened = {month for kind, month in await rounds.opened_rounds(session) if kind == "progress"}
        table = next_round(await store.schedule_settings(session), self._calendar, self._clock(), opened)
        return 0, table.month, table.deadline

    async def _window(self, session: Session, round_: Round | None) -> tuple[int, str, date]:
        """The round an update made now counts for: the open one, or between rounds the next."""
        return (round_.id, round_.month, round_.deadline) if round_ else await self._next_round(session)

    async def _round_view(
        self,
        session: Session,
        context: store.ActionContext,
        round_: Round | None,
        last: cards.LastUpdateView | None = None,
        *,
        window: tuple[int, str, date] | None = None,
    ) -> cards.ProgressPromptView:
        round_id, month, deadline = window or await self._window(session, round_)
        action = context.action
        return cards.ProgressPromptView(
            round_id=round_id,
            month=month,
            deadline=deadline,
            action_ref=context.action.ref,
            requirement=context.action.requirement,
            theme_name=context.theme_name,
            quality_statement_name=context.statement.name if context.statement else None,
            quality_statement_score=context.statement.score if context.statement else None,
            action_due=context.action.due,
            owner_name=context.owner.name,
            last=last,
            overdue_since=overdue_since(due=action.due, status=action.status, today=self._today()),
        )

    async def _view(
        self,
        session: Session,
        context: store.ActionContext,
        round_: Round | None,
        *,
        window: tuple[int, str, date] | None = None,
    ) -> cards.ProgressPromptView:
        """The view a prompt card needs: the round's, with the action's latest update."""
        latest = await store.latest_update(session, context.action.id)
        last = self._last_view(latest) if latest else None
        return await self._round_view(session, context, round_, last, window=window)

    def _last_view(self, update: store.StoredUpdate) -> cards.LastUpdateView:
        return cards.LastUpdateView(
            rag=update.rag,
            narrative=update.narrative,
            evidence_links=update.evidence_links,
            blockers=update.blockers,
            revised_due=update.revised_due,
            submitted_at_text=_local_text(update.submitted_at, self._zone),
            author_name=update.author_name,
        )

    def _prompt(self, view: cards.ProgressPromptView, **options: Any) -> Card:
        # A past revised date would be refused on submit; the officer re-enters it if still needed.
        values = dict(options.pop("values", None) or {})
        if view.last and view.last.revised_due and view.last.revised_due < self._today():
            values.setdefault("revised_due", "")
        return cards.build_progress_card(view, values=values, card_id=uuid.uuid4().hex, **options)

    async def prompt_card(self, session: Session, ref: str, *, round_id: int | None = None) -> Card | None:
        """A fresh prompt for one action, read in the caller's session (the planner's transaction)."""
        context = await store.action_context(session, ref)
        if context is None:
            return None
        round_ = await rounds.round_by_id(session, round_id) if round_id else await rounds.open_progress_round(session)
        return self._prompt(await self._view(session, context, round_))

    async def my_action_cards(self, sender: Sender) -> tuple[StoredPerson | None, list[Card]]:
        async with self._sessions() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return None, []
            round_ = await rounds.open_progress_round(session)
            window = await self._window(session, round_)  # once for all the person's cards
            return person, [
                self._prompt(await self._view(session, c, round_, window=window))
                for c in await store.actions_for(session, person)
            ]

    async def status_lines(self, sender: Sender) -> tuple[StoredPerson | None, list[str]]:
        async with self._sessions() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return None, []
            lines = []
            for context in await store.actions_for(session, person, open_only=False):
                action = context.action
                rag = action.rag.label if action.rag else "no RAG yet"
                due = f", due {action.due:%d %b %Y}" if action.due else ""
                late = overdue_since(due=action.due, status=action.status, today=self._today())
                flag = f" ⚠ **Overdue since {late:%d %b %Y}**" if late else ""
                lines.append(
                    f"**{action.ref}** — {rag} ({action.status.label.lower()}{due}){flag}: {action.requirement}"
                )
            return person, lines

    # ---- answering card actions ------------------------------------------------------------

    async def _authorised(
        self, session: Session, sender: Sender, ref: object
    ) -> tuple[StoredPerson, store.ActionContext] | Card:
        context = await store.action_context(session, ref) if isinstance(ref, str) else None
        if context is None:
            return cards.build_refusal_card(
                "Unknown action", "This card names an action that is not in the plan any more."
            )
        person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
        if person is None or not may_update(
            person.actor, owner_email=context.owner.email, delegate_emails=context.delegate_emails
        ):
            return cards.build_refusal_card(
                "You can't update this action",
                f"Only the action owner, a delegate named in the plan or an admin can update {context.action.ref}. "
                "Nothing was saved.",
                details=[("Action owner", context.owner.name)],
            )
        return person, context

    async def edit_from_card(self, sender: Sender, data: Mapping[str, Any]) -> Card:
        """The receipt's Edit button: the prompt again, to correct the update."""
        if forged := _forged(data, card_data.PROGRESS_EDIT):
            return forged
        async with self._sessions() as session:
            checked = await self._authorised(session, sender, data.get("action_ref"))
            if isinstance(checked, dict):
                return checked
            _, context = checked
            round_ = await _card_round(session, data)
            return self._prompt(await self._view(session, context, round_), editing=True)

    async def submit_from_card(self, sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
        """The prompt's Submit button: store the update, or show the card again with what to fix."""
        if forged := _forged(data, card_data.PROGRESS_SUBMIT):
            return forged
        now, today = self._clock(), self._today()
        async with self._sessions.begin() as session:
            checked = await self._authorised(session, sender, data.get("action_ref"))
            if isinstance(checked, dict):
                return checked
            person, context = checked
            round_ = await _card_round(session, data)
            parsed = await self._parse(session, context, data, today)
            if isinstance(parsed, cards.ProgressFormErrors):
                return self._prompt(
                    await self._view(session, context, round_),
                    values=parsed.values,
                    errors=parsed.errors,
                    personal_data=parsed.personal_data,
                )
            problem = self._round_problem(round_, data, today)
            if problem:
                return self._prompt(await self._view(session, context, round_), values=_typed(data), notice=problem)
            if round_ is not None and await self._answered_already_late(session, context, round_, today):
                round_ = None  # after the deadline and answered already: it counts for the next round
            # The receipt shows what was stored, so it needs no read of the previous update.
            view = await self._round_view(session, context, round_)
            # Teams redelivers slow activities and people double-click: one update either way.
            if not await claim_all(session, submission_keys(activity_id, data.get("card_id")), now=now):
                return await self._receipt(session, view, context.action.id, round_)
            await store.store_update(
                session,
                context,
                store.NewUpdate(
                    parsed.rag.value, parsed.narrative, list(parsed.evidence_links), parsed.blockers, parsed.revised_due
                ),
                author=person,
                round_id=round_.id if round_ else None,
                teams_user_id=sender.user_id,
                activity_id=activity_id,
                status=status_after(parsed.rag).value,
                now=now,
            )
        # Built after the commit: the write transaction (SQLite's one write lock) is held no longer than needed.
        return cards.build_receipt_card(
            view,
            parsed,
            author_name=person.name,
            submitted_at_text=_local_text(now, self._zone),
            editable=self._editable(round_, view.deadline, today),
            history_url=self._history_url(view.action_ref),
        )

    async def _parse(
        self, session: Session, context: store.ActionContext, data: Mapping[str, Any], today: date
    ) -> cards.ProgressSubmission | cards.ProgressFormErrors:
        """What the card sent; for "No change since last month", last month's update carried over."""
        if data.get(cards.NO_CHANGE_KEY) is not True:
            return cards.parse_progress_submission(data, today=today)
        ids = cards.card_ids(data)
        if ids is None:
            return cards.ProgressFormErrors({cards.CARD_ERROR: cards.FORGED}, {})
        latest = await store.latest_update(session, context.action.id)
        if latest is None or latest.rag is None:
            return cards.ProgressFormErrors({cards.CARD_ERROR: _NOTHING_TO_CARRY}, {})
        return cards.no_change_submission(*ids, self._last_view(latest), today=today)

    async def _answered_already_late(
        self, session: Session, context: store.ActionContext, round_: Round, today: date
    ) -> bool:
        if round_state(deadline=round_.deadline, closed=round_.closed, today=today) is not RoundState.LATE:
            return False
        return await store.answered_in_round(session, context.action.id, round_.id)

    def _round_problem(self, round_: Round | None, data: Mapping[str, Any], today: date) -> str | None:
        if data.get("card_version") not in (None, cards.PROGRESS_CARD_VERSION):
            return (
                "This card is out of date, so nothing was saved. Your text is below: check it and press Submit again."
            )
        if data.get("cycle_id") and round_ is None:
            return (
                "This card's progress round is not in the plan any more, so nothing was saved. "
                "Type **my actions** for a fresh card."
            )
        if round_ is not None and round_.closed:
            return (
                f"The {month_label(round_.month)} progress round has closed, so nothing was saved. "
                "Your text is below: type **my actions** for a card for the current round."
            )
        return None

    def _editable(self, round_: Round | None, deadline: date, today: date) -> bool:
        state = round_state(deadline=deadline, closed=bool(round_ and round_.closed), today=today)
        return state is RoundState.OPEN

    async def _receipt(
        self, session: Session, view: cards.ProgressPromptView, action_id: int, round_: Round | None
    ) -> Card:
        """The receipt for a repeat: the update stored by the first of them."""
        latest = await store.latest_update(session, action_id)
        assert latest is not None  # a duplicate means the first one was stored
        stored = self._last_view(latest)
        return cards.build_receipt_card(
            view,
            stored,
            author_name=stored.author_name,
            submitted_at_text=stored.submitted_at_text,
            editable=self._editable(round_, view.deadline, self._today()),
            history_url=self._history_url(view.action_ref),
        )


_NOTHING_TO_CARRY = (
    "There is no earlier update with a RAG status to carry over, so nothing was saved. "
    "Please fill in the card and press Submit progress."
)


def _typed(data: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in data.items() if k in (*cards.INPUT_IDS, cards.CONFIRM_ID) and isinstance(v, str)}


def _forged(data: Mapping[str, Any], spec: card_data.CardDataSpec) -> Card | None:
    """A refusal when the card's ids do not have the types the card wrote (nothing is read or stored)."""
    if card_data.wrong_types(data, spec) is None:
        return None
    return cards.build_refusal_card(card_data.FORGED_TITLE, card_data.FORGED_MESSAGE)


async def _card_round(session: Session, data: Mapping[str, Any]) -> Round | None:
    """The progress round a card was sent for (its data keeps the stored name, `cycle_id`); a figures
    round's id names no progress round, so the closed-round check cannot be sidestepped with it."""
    round_id = data.get("cycle_id")
    round_ = await rounds.round_by_id(session, round_id) if isinstance(round_id, int) and round_id else None
    return round_ if round_ is not None and round_.kind == "progress" else None
