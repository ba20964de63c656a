"""The digest over Teams: the chair's preview and post commands, the "see more" pages, and the
messages the outbox sends. Plain arguments in, card JSON out: the activity handler does the Bot
Framework part.

Posting uses the same idempotency keys as the scheduled post (kind digest, scope
"digest-YYYY-MM", step "channel" or "chair"), so a manual post, a scheduled post and any rerun
of either send each recipient the month's digest once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.checkin import Sender
from bot.services.report_links import ReportLinks
from bot.services.reporting import card_links, default_month, load_month_report
from bot.services.tab_links import TabLinks
from dialogs.digest import build_more_card, parse_more_request
from dialogs.digest_post import PostPlan, build_post_confirmation, build_post_result, parse_post_month
from dialogs.digest_readiness import build_digest_with_readiness
from dialogs.progress import build_refusal_card
from domain.digest import may_see_digest, not_begun
from domain.month_report import MonthReport
from domain.months import month_label
from domain.outbox import MessageKind, Recipient, idempotency_key, message_payload
from storage import outbox, people
from storage.digest_ledger import digest_recipients
from storage.engine import Session, Sessions

Card = dict[str, Any]


@dataclass(frozen=True)
class DigestMessage:
    key: str
    recipient: Recipient
    card: Card


def digest_key(month: str, recipient: Recipient, step: str) -> str:
    """The planner's key for the month's digest to one recipient (see domain/planner/digest.py)."""
    return idempotency_key(MessageKind.DIGEST, scope=f"digest-{month}", recipient=recipient, step=step)


async def digest_messages(session: Session, month: str, card: Card) -> list[DigestMessage]:
    """(idempotency key, recipient, card) for the group channel and each chair."""
    return [
        DigestMessage(digest_key(month, recipient, step), recipient, card)
        for step, recipient in await digest_recipients(session)
    ]


class DigestService:
    def __init__(
        self,
        sessions: Sessions,
        clock: Callable[[], datetime],
        timezone: str,
        links: ReportLinks | None = None,
        tab: TabLinks | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._timezone = timezone
        self._links = links
        self._tab = tab  # the dashboard tab, when Teams can open it

    async def _report(
        self, session: Session, month: str | None, as_of: datetime, *, with_readiness: bool = True
    ) -> MonthReport | None:
        chosen = month or await default_month(session, as_of, self._timezone)
        return await load_month_report(session, chosen, as_of, with_readiness=with_readiness)

    def _card(self, report: MonthReport) -> Card:
        ids = [s.metric.id for s in report.data.metrics]
        links = card_links(self._links, report.month, ids, self._tab)
        return build_digest_with_readiness(report.digest, links, report.readiness)

    async def card_for_month(self, month: str, *, as_of: datetime | None = None) -> Card:
        """The digest card for ``month`` as of now."""
        async with self._sessions() as session:
            return await self.card_in_session(month, session, as_of=as_of)

    async def card_in_session(self, month: str, session: Session, *, as_of: datetime | None = None) -> Card:
        """As card_for_month, read in the caller's transaction: what the scheduled post renders."""
        report = await self._report(session, month, as_of or self._clock())
        if report is None:
            raise LookupError("no plan has been imported")
        return self._card(report)

    async def _chair_report(
        self, session: Session, sender: Sender, month: str | None, now: datetime, *, with_readiness: bool = True
    ) -> MonthReport | Card:
        """The month's report for the chair or an admin; for anyone else, or with no plan, the card
        that says why not."""
        refusal = await self._refusal(session, sender)
        if refusal is not None:
            return refusal
        return await self._report(session, month, now, with_readiness=with_readiness) or _no_plan()

    async def _postable_report(
        self, session: Session, sender: Sender, month: str | None, now: datetime, *, with_readiness: bool = True
    ) -> MonthReport | Card:
        """The chair's report, if its month has begun (`not_begun`)."""
        report = await self._chair_report(session, sender, month, now, with_readiness=with_readiness)
        if isinstance(report, MonthReport) and not_begun(report.month, report.data.as_of):
            label = month_label(report.month)
            return build_refusal_card(
                f"{label} has not begun",
                f"A month's digest is posted once, so it can be posted from 1 {label}: posted now, it would "
                f"be empty and {label}'s own digest would not go out. **digest {label}** previews it.",
            )
        return report

    async def preview(self, sender: Sender, month: str | None = None) -> Card:
        """`digest`: the chair or an admin sees the card privately; anyone else is refused."""
        async with self._sessions() as session:
            report = await self._chair_report(session, sender, month, self._clock())
        return self._card(report) if isinstance(report, MonthReport) else report

    async def confirm_post(self, sender: Sender, month: str | None = None) -> Card:
        """`post digest`: what posting would do (who has answered, the deadline), and a button."""
        async with self._sessions() as session:
            report = await self._postable_report(session, sender, month, self._clock(), with_readiness=False)
            if not isinstance(report, MonthReport):
                return report
            recipients = await digest_recipients(session)
            keys = {digest_key(report.month, recipient, step) for step, recipient in recipients}
            sent = await outbox.queued_keys(session, keys)
        if not recipients:
            return build_post_result(report.month, to_channel=False, chairs=0, queued=0)
        round_ = report.data.round
        return build_post_confirmation(
            PostPlan(
                month=report.month,
                today=report.data.as_of,
                deadline=round_.deadline if round_ else None,
                response=report.digest.response,
                to_channel=_recipient_counts(r for _, r in recipients)[0],
                already_sent=sent == keys,
            )
        )

    async def post_from_card(self, sender: Sender, data: Mapping[str, Any]) -> Card:
        """The confirmation's "Post it now" button."""
        month = parse_post_month(data)
        if month is None:
            return build_refusal_card("I can't post that", "This button's details are not ones I know.")
        return await self.post(sender, month)

    async def post(self, sender: Sender, month: str | None = None) -> Card:
        """Queue the month's digest for the group channel and the chair, once."""
        now = self._clock()
        async with self._sessions.begin() as session:
            report = await self._postable_report(session, sender, month, now)
            if not isinstance(report, MonthReport):
                return report
            messages = await digest_messages(session, report.month, self._card(report))
            queued = await enqueue_digest(session, messages, now=now)
        to_channel, chairs = _recipient_counts(m.recipient for m in messages)
        return build_post_result(report.month, to_channel=to_channel, chairs=chairs, queued=queued)

    async def more(self, sender: Sender, data: Mapping[str, Any]) -> Card:
        """The ``digest.more`` button: the next page of a section, for anyone in the plan."""
        request = parse_more_request(data)
        if request is None:
            return build_refusal_card("I can't show that", "This button's details are not ones I know.")
        async with self._sessions() as session:
            person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            if person is None:
                return build_refusal_card("You're not in the plan", _NOT_IN_PLAN)
            report = await load_month_report(session, request.month, self._clock(), with_readiness=False)
        if report is None:
            return _no_plan()
        ids = [s.metric.id for s in report.data.metrics]
        return build_more_card(report.digest, request, card_links(self._links, report.month, ids, self._tab))

    async def _refusal(self, session: Session, sender: Sender) -> Card | None:
        person = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
        if person is None:
            return build_refusal_card("You're not in the plan", _NOT_IN_PLAN)
        if not may_see_digest(person.roles):
            return build_refusal_card(
                "The digest is for the chair",
                "Previewing and posting the monthly digest is for the chair of the improvement "
                "group and plan admins. You'll see the digest in the group's channel when it is "
                "posted.",
            )
        return None


async def enqueue_digest(session: Session, messages: list[DigestMessage], *, now: datetime) -> int:
    """Put each message in the outbox; returns how many were new (a known key is skipped)."""
    queued = 0
    for message in messages:
        queued += await outbox.enqueue(
            session,
            key=message.key,
            recipient=message.recipient,
            kind=MessageKind.DIGEST,
            payload=message_payload(card=message.card),
            now=now,
        )
    return queued


def _recipient_counts(recipients: Iterable[Recipient]) -> tuple[bool, int]:
    """(whether the group channel is among them, how many chairs: people, not channels)."""
    channels = [r.conversation_ref_id is not None for r in recipients]
    return any(channels), channels.count(False)


def _no_plan() -> Card:
    return build_refusal_card("No plan yet", "No improvement plan has been imported, so there is no digest.")


_NOT_IN_PLAN = (
    "I can't find you in the improvement plan. If you should be in it, ask the plan's admin "
    "to check "
    "your email address in the plan."
)
