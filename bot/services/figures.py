"""The monthly figures over Teams: the figures card for a metric owner, and answering its buttons.

Plain arguments in, card JSON out, as bot/services/checkin.py: the activity handler does the Bot Framework
part. Blank boxes are allowed: an owner often has one figure before the others, and storing what
they have beats refusing it; the missing ones stay outstanding for the overdue reminders.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.base import LocalService
from bot.services.checkin import Sender
from dialogs import card_data
from dialogs import figures as form_cards
from dialogs.progress import build_refusal_card
from domain.months import period_end
from storage import figures as store
from storage.engine import Session
from storage.idempotency import claim_all, submission_keys
from storage.people import StoredPerson, person_by_id, person_for_sender

Card = dict[str, Any]


def _local_text(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


class FiguresService(LocalService):
    def current_period(self) -> str:
        """The month figures are asked for now: the last one that is over."""
        return store.previous_period(self._today())

    # ---- the card ------------------------------------------------------------------------------

    async def figures_card(self, sender: Sender, *, period: str | None = None) -> Card | None:
        """The `figures` command: None when the sender is not in the plan or owns no metric."""
        async with self._sessions() as session:
            person = await person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            return await self._card_for(session, person, period) if person else None

    async def card_for_person(self, person_id: int, *, period: str | None = None) -> Card | None:
        """The same card for a proactive figures request (the scheduler knows people by id)."""
        async with self._sessions() as session:
            return await self.card_in_session(session, person_id, period=period)

    async def card_in_session(self, session: Session, person_id: int, *, period: str | None = None) -> Card | None:
        """As card_for_person, read in the caller's transaction (the planner's, which holds the lock)."""
        person = await person_by_id(session, person_id)
        return await self._card_for(session, person, period) if person else None

    async def _card_for(self, session: Session, person: StoredPerson, period: str | None) -> Card | None:
        metric_ids = await store.owned_metric_ids(session, person)
        if not metric_ids:
            return None
        view, _ = await self._view(session, metric_ids, period or self.current_period())
        return self._prompt(view)

    async def _view(
        self, session: Session, metric_ids: Sequence[str], period: str
    ) -> tuple[form_cards.FiguresView, list[store.MetricState]]:
        states = await store.metric_states(session, metric_ids, period)
        rows = tuple(
            form_cards.MeasureFigures(s.metric, self._figure(s.previous), self._figure(s.recorded)) for s in states
        )
        deadline = await store.figures_deadline(session, period)
        return form_cards.FiguresView(period, period_end(period), rows, deadline), states

    def _figure(self, reading: store.StoredReading | None) -> form_cards.Figure | None:
        if reading is None:
            return None
        when = _local_text(reading.submitted_at, self._zone)
        return form_cards.Figure(reading.period, reading.value, reading.submitted_by, when)

    def _prompt(self, view: form_cards.FiguresView, **options: Any) -> Card:
        # A fresh card_id per card sent: a double click on one card stores once.
        return form_cards.build_figures_card(view, card_id=uuid.uuid4().hex, **options)

    # ---- answering its buttons -----------------------------------------------------------------

    async def submit_from_card(self, sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
        """The card's Submit button: store the figures, or show the card again with what to check."""
        if card_data.wrong_types(data, card_data.FIGURES_SUBMIT) is not None:
            return build_refusal_card(card_data.FORGED_TITLE, _FORGED)
        try:
            return await self._submit(sender, data, activity_id)
        except store.ReadingConflict:
            return await self._edit(sender, data, notice=_CONFLICT)  # rolled back; shown again

    async def edit_from_card(self, sender: Sender, data: Mapping[str, Any]) -> Card:
        """The receipt's Edit button: the card again, filled with the figures as recorded."""
        if card_data.wrong_types(data, card_data.FIGURES_EDIT) is not None:
            return build_refusal_card(card_data.FORGED_TITLE, _FORGED)
        return await self._edit(sender, data)

    async def _load(
        self, session: Session, sender: Sender, data: Mapping[str, Any]
    ) -> tuple[StoredPerson, form_cards.FiguresView, list[store.MetricState]] | Card:
        """Who is answering, and the card they answer as it stands now; or a refusal card."""
        person = await person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
        if person is None:
            return build_refusal_card("I can't find you in the plan", _NOT_IN_PLAN)
        period = form_cards.parse_period(data.get("period"), latest=self.current_period())
        metric_ids = form_cards.parse_metric_ids(data.get("metrics"))
        if period is None or metric_ids is None:
            return build_refusal_card("This card can't be used", _FORGED)
        view, states = await self._view(session, metric_ids, period)
        if len(states) != len(metric_ids):
            return build_refusal_card("This card is out of date", _GONE)
        others = [s for s in states if s.metric.owner != person.email]
        if others:
            return build_refusal_card(
                "You can't record these figures",
                "Only a figure's owner in the plan can record it. Nothing was saved.",
                details=[(s.metric.name, s.owner_name) for s in others],
            )
        return person, view, states

    async def _edit(self, sender: Sender, data: Mapping[str, Any], *, notice: str = "") -> Card:
        async with self._sessions() as session:
            loaded = await self._load(session, sender, data)
            if isinstance(loaded, dict):
                return loaded
            _, view, _ = loaded
            # After a conflict the figures come back as typed; an edit starts from the record.
            metric_ids = [row.metric.id for row in view.rows]
            typed = form_cards.parse_figures(data, metric_ids) if notice else None
            return self._prompt(view, form=typed, notice=notice or None)

    async def _submit(self, sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
        now = self._clock()
        async with self._sessions.begin() as session:
            loaded = await self._load(session, sender, data)
            if isinstance(loaded, dict):
                return loaded
            person, view, states = loaded
            metric_ids = [row.metric.id for row in view.rows]
            form = form_cards.parse_figures(data, metric_ids)
            if data.get("card_version") not in (None, form_cards.FIGURES_CARD_VERSION):
                return self._prompt(view, form=form, notice=_STALE)
            share = await store.change_confirm_share(session)
            checks = form_cards.checks_needed(view, form.values, share)
            if form.errors or form_cards.needs_confirmation(form, checks):
                return self._prompt(view, form=form, checks=checks)
            # Teams redelivers slow activities and people double-click: one store either way.
            first = await claim_all(session, submission_keys(activity_id, data.get("card_id")), now=now)
            if not first:  # read again: the first may have committed since this view was read
                return self._stored_receipt(*await self._view(session, metric_ids, view.period))
            expected = {s.metric.id: s.recorded.value if s.recorded else None for s in states}
            changes = await store.store_readings(
                session, view.period, form.values, expected=expected, actor=person, now=now
            )
            stored, _ = await self._view(session, metric_ids, view.period)
            return form_cards.build_figures_receipt(
                stored,
                author_name=person.name,
                when_text=_local_text(now, self._zone),
                notes={c.metric_id: _note(c) for c in changes if c.before is not None},
            )

    def _stored_receipt(self, view: form_cards.FiguresView, states: list[store.MetricState]) -> Card:
        """The receipt again, for a repeat: who stored the latest of these figures, and when."""
        recorded = [s.recorded for s in states if s.recorded]
        latest = max(recorded, key=lambda r: r.submitted_at, default=None)
        return form_cards.build_figures_receipt(
            view,
            author_name=(latest.submitted_by if latest else None) or "Not known",
            when_text=_local_text(latest.submitted_at, self._zone) if latest else "Not known",
        )


def _note(change: store.StoredChange) -> str:
    if change.before == change.value:
        return "unchanged"
    return f"corrected from {form_cards.amount(change.before or 0)}"


_NOT_IN_PLAN = (
    "I can't find you in the improvement plan, so I have no figures for you. If you should have"
    " some, ask the plan's admin to check your email address in the plan."
)
_FORGED = "This card is missing details the bot needs. Please type **figures** for a fresh card."
_GONE = (
    "It names a figure that is not in the plan any more. Nothing was saved. Please type **figures** for a fresh card."
)
_STALE = "This card is out of date, so nothing was saved. Check the figures below and submit again."
_CONFLICT = (
    "Someone else recorded some of these figures while you were typing, so nothing was saved."
    " Theirs are shown under “Recorded for”; check yours and submit again."
)
