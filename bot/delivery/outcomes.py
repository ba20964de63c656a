"""Writing down what happened to each claimed message: `sending` before the Teams call, then
sent, retry later, failed, unreachable or unknown — each write group-committed with others."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.delivery.pacing import Pacer
from bot.delivery.routing import Operation, Route, Settle
from domain.congestion import Signal
from domain.outbox import DeliveryError, DeliveryStatus, RandomSource, RetryPolicy, Sent
from storage import outbox as ledger
from storage import outbox_recipients as recipients
from storage.engine import Session, Sessions
from storage.group_commit import GroupCommit
from storage.outbox import OutboxItem

S = DeliveryStatus
log = logging.getLogger(__name__)


class DeliveryEvents(Protocol):
    """Who watches the worker (the /metrics counters): told of every outcome and every pause."""

    def settled(self, status: DeliveryStatus, code: str) -> None:
        """`code`: Teams' HTTP status ("2xx" when sent), "timeout", or "none" (no call was made)."""

    def paused(self, seconds: float) -> None: ...


class Outcomes:
    def __init__(
        self,
        sessions: Sessions,
        *,
        worker: str,
        clock: Callable[[], datetime],
        policy: RetryPolicy,
        random_source: RandomSource,
        pacer: Pacer,
        lease: timedelta,
        events: DeliveryEvents | None = None,
    ) -> None:
        self.tally: Counter[str] = Counter()
        self._writer = GroupCommit(sessions)
        self._worker = worker
        self._clock = clock
        self._policy = policy
        self._random = random_source
        self._pacer = pacer
        self._lease = lease
        self._events = events

    async def sending(self, item: OutboxItem) -> bool:
        """Committed before the Teams call. False: the claim is no longer ours (its lease ran
        out and the row went back), so it must not be sent."""

        async def mark(session: Session) -> bool:
            return await ledger.mark_sending(
                session, item.id, worker=self._worker, now=self._clock(), lease=self._lease
            )

        if await self._writer.write(mark):
            return True
        self.tally["lost claim"] += 1
        return False

    async def sent(self, item: OutboxItem, route: Route, sent: Sent) -> None:
        await self.record(
            item,
            S.SENT,
            code="2xx",
            activity_id=sent.activity_id,
            conversation_id=sent.conversation_id,
            conversation_ref_id=route.conversation_ref_id,
        )

    async def hand_back(
        self,
        item: OutboxItem,
        wait: float,
        *,
        reason: str | None = None,
        attempts: int | None = None,
    ) -> None:
        """Back to pending without counting an attempt: Teams was not called for it."""
        fields: dict[str, Any] = {"next_attempt_at": self._clock() + timedelta(seconds=wait)}
        if reason:
            fields["last_error"] = reason
        if attempts is not None:
            fields["attempts"] = attempts
        await self.record(item, S.PENDING, **fields)

    async def failed(self, item: OutboxItem, route: Route | None, error: DeliveryError, *, attempts: int) -> None:
        """Teams refused (or never answered): retry later, mark unreachable, or give up — as the
        retry policy says. A 429 holds its conversation; the pacer decides whether it also means
        the app is over its rate, and a pause it orders is shared with every instance."""
        updating = route is not None and route.operation is Operation.UPDATE
        step = self._policy.next_step(error, attempts=attempts, random=self._random, updating=updating)
        pause = 0.0
        if step.throttled:
            # A roster read or chat creation has no conversation yet: its recipient stands for it.
            key = route.pace_key if route is not None else f"recipient:{item.person_id or item.conversation_ref_id}"
            if self._pacer.throttled(key, step.delay or 0.0) is Signal.PAUSE:
                pause = step.delay or 0.0
                if self._events is not None:
                    self._events.paused(pause)
        now = self._clock()
        fields: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": error.status,
            "last_error": str(error),
        }
        if step.status is S.PENDING:
            fields["next_attempt_at"] = now + timedelta(seconds=step.delay or 0.0)

        async def write(session: Session) -> bool:
            if pause:
                await ledger.pause(session, until=now + timedelta(seconds=pause), reason=str(error), now=now)
            if step.unreachable:
                await self._mark_unreachable(session, item, route, error, now)
            return await ledger.settle(session, item.id, worker=self._worker, status=step.status, now=now, **fields)

        code = "timeout" if error.timed_out else str(error.status) if error.status else "none"
        self._count(step.status, await self._writer.write(write), code=code)
        if step.status in (S.FAILED, S.UNREACHABLE):
            log.warning("send %s: %s", step.status.value, error, extra={"outbox_key": item.key})

    async def without_call(self, item: OutboxItem, settle: Settle) -> None:
        if settle.status is S.PENDING:
            return await self.hand_back(item, settle.retry_in or 0.0, reason=settle.reason)
        now = self._clock()

        async def write(session: Session) -> bool:
            if settle.person_unreachable and item.person_id is not None:
                await recipients.mark_person_unreachable(session, item.person_id, settle.reason, now=now)
            return await ledger.settle(
                session,
                item.id,
                worker=self._worker,
                status=settle.status,
                now=now,
                last_error=settle.reason,
            )

        self._count(settle.status, await self._writer.write(write))

    async def record(self, item: OutboxItem, status: DeliveryStatus, *, code: str = "none", **fields: Any) -> None:
        now = self._clock()

        async def write(session: Session) -> bool:
            return await ledger.settle(session, item.id, worker=self._worker, status=status, now=now, **fields)

        self._count(status, await self._writer.write(write), code=code)

    async def _mark_unreachable(
        self,
        session: Session,
        item: OutboxItem,
        route: Route | None,
        error: DeliveryError,
        now: datetime,
    ) -> None:
        reason = " ".join(str(p) for p in (error.status, error.code, error.sub_code) if p)
        if item.person_id is not None:
            await recipients.mark_person_unreachable(session, item.person_id, f"Teams answered {reason}", now=now)
        # A channel the bot was removed from, or a chat Teams no longer knows, is not used again.
        gone = item.person_id is None or error.status == 404
        if route is not None and gone and route.operation is not Operation.UPDATE:
            await recipients.mark_conversation_gone(session, route.conversation_ref_id, now=now)

    def _count(self, status: DeliveryStatus, recorded: bool, *, code: str = "none") -> None:
        if not recorded:
            self.tally["lost claim"] += 1
            return
        self.tally[status.value] += 1
        # A hand-back (pending, no call made) is not an outcome worth watching; a retry after Teams refused is.
        if self._events is not None and (status is not S.PENDING or code != "none"):
            self._events.settled(status, code)
