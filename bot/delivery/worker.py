"""The delivery worker: claims due outbox rows in batches and sends them to Teams under the rate
limits — its share of the deployment's ceiling — retrying, slowing what a 429 names, marking
unreachable recipients, and never sending a row twice.

Each row: claimed (with the batch's directory of addresses) → routed (a chat may be created from
a roster) → `sending`, committed → paced → the Teams call → sent | pending again (backoff) |
failed | unreachable | unknown.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.delivery.outcomes import DeliveryEvents, Outcomes
from bot.delivery.pacing import Pacer, Sleep, Slot
from bot.delivery.routing import Deferred, Operation, Route, Router, Settle
from bot.delivery.shares import CeilingShare
from bot.settings import Settings
from domain.congestion import AppRate
from domain.outbox import (
    DeliveryError,
    DeliveryStatus,
    RandomSource,
    RetryPolicy,
    Sent,
    TeamsGateway,
)
from domain.send_limits import TEAMS_CONVERSATION_WINDOWS, SendLimiter
from storage import outbox as ledger
from storage import outbox_recipients as recipients
from storage.engine import Sessions
from storage.outbox import OutboxItem, Recovered
from storage.outbox_recipients import Directory

log = logging.getLogger(__name__)

PAUSE_REFRESH = 0.5  # seconds between looks at the pause other instances may have recorded
CLAIM_AHEAD = 1.0  # seconds of sending, at this instance's rate, that it claims ahead


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DeliveryConfig:
    app_rate: float = 50.0  # requests per second for the whole deployment (Teams: 50 per app per tenant)
    max_attempts: int = 5
    batch: int = 50
    concurrency: int = 8
    lease: timedelta = timedelta(minutes=5)  # a claim older than this belongs to a dead worker
    call_timeout: float = 30.0  # seconds one Teams call may take
    max_local_wait: float = 5.0  # longer waits hand the row back instead of holding it
    idle_poll: float = 2.0  # seconds between looks at the outbox when nothing is due
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    instance_lease: timedelta = timedelta(seconds=15)  # an instance not beating this long is dead
    update_recheck: float = 2.0  # seconds before an update looks again at its unsent original
    shutdown_grace: float = 10.0  # seconds a stopping worker waits for the Teams calls it has made

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryConfig:
        return cls(
            app_rate=settings.delivery_app_rate,
            max_attempts=settings.delivery_max_attempts,
            batch=settings.delivery_batch,
            concurrency=settings.delivery_concurrency,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            shutdown_grace=settings.shutdown_grace_seconds,
            instance_lease=timedelta(seconds=settings.delivery_instance_lease_seconds),
        )

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.backoff_base, self.backoff_cap)


class DeliveryWorker:
    def __init__(
        self,
        sessions: Sessions,
        gateway: TeamsGateway,
        config: DeliveryConfig | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        random_source: RandomSource = random.random,
        name: str | None = None,
        events: DeliveryEvents | None = None,
    ) -> None:
        self.config = config = config or DeliveryConfig()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = False
        self._sessions = sessions
        self._gateway = gateway
        self._clock = clock
        self._monotonic = monotonic
        self._next_pause_read = float("-inf")
        limiter = SendLimiter(config.app_rate)
        rate = AppRate(config.app_rate)
        self._pacer = Pacer(limiter, rate, max_wait=config.max_local_wait, monotonic=monotonic, sleep=sleep)
        self._share = CeilingShare(
            sessions,
            self._pacer,
            limiter,
            name=self.name,
            ceiling=config.app_rate,
            conversation_windows=TEAMS_CONVERSATION_WINDOWS,
            lease=config.instance_lease,
            clock=clock,
            monotonic=monotonic,
        )
        self._router = Router(sessions, gateway, self._pacer, clock, monotonic, update_recheck=config.update_recheck)
        self._outcomes = Outcomes(
            sessions,
            worker=self.name,
            clock=clock,
            policy=config.policy,
            random_source=random_source,
            pacer=self._pacer,
            lease=config.lease,
            events=events,
        )
        self._calls = asyncio.Semaphore(config.concurrency)  # Teams calls in flight
        self._in_hand = 0  # rows claimed and not yet settled

    @property
    def tally(self) -> Counter[str]:
        """Outcomes recorded so far, by status ("pending": to be retried or handed back)."""
        return self._outcomes.tally

    async def recover(self, *, ignore_leases: bool = False) -> Recovered:
        """Hand back rows a dead worker claimed; flag those it was sending as `unknown`."""
        async with self._sessions.begin() as session:
            recovered = await ledger.recover_abandoned(session, now=self._clock(), ignore_leases=ignore_leases)
        if recovered.unknown:
            log.warning("%d message(s) were being sent when a worker stopped: unknown", recovered.unknown)
        return recovered

    async def release(self) -> Recovered:
        """On the way out: this worker's claims go back at once instead of after their lease."""
        async with self._sessions.begin() as session:
            released = await ledger.release_claims(session, worker=self.name, now=self._clock())
        if released.requeued or released.unknown:
            log.info(
                "delivery worker %s handed back %d message(s); %d left without Teams' answer flagged unknown",
                self.name,
                released.requeued,
                released.unknown,
            )
        return released

    async def refresh_shared_state(self) -> float:
        """Beat (this instance's share of the ceiling) and adopt a pause another instance
        recorded; seconds until sending may resume. The pause is read at most every
        PAUSE_REFRESH seconds."""
        await self._share.refresh()
        if self._monotonic() >= self._next_pause_read:
            self._next_pause_read = self._monotonic() + PAUSE_REFRESH
            async with self._sessions() as session:
                until = await ledger.paused_until(session)
            if until is not None and (remaining := (until - self._clock()).total_seconds()) > 0:
                self._pacer.pause(remaining)
        return self._pacer.paused_for()

    async def leave(self) -> None:
        """Stopped: the other instances take this one's share of the ceiling."""
        try:
            await self._share.leave()
        except Exception:  # the database went first: the lease runs out instead
            log.exception("could not deregister delivery instance %s", self.name)

    def paused_for(self) -> float:
        return self._pacer.paused_for()

    @property
    def share(self) -> float:
        """Requests per second this instance may use: the ceiling over the live instances."""
        return self._pacer.share

    def rate_cuts(self) -> int:
        """How often 429s from several conversations at once cut the app's rate (AIMD)."""
        return self._pacer.decreases()

    def paused_total(self) -> tuple[int, float]:
        """Pauses for 429s so far in this process: how many, and how many seconds in all."""
        return self._pacer.paused_total()

    async def next_wake_in(self) -> float | None:
        """Seconds until a row falls due or a claim's lease runs out; None when nothing is open."""
        async with self._sessions() as session:
            wake = await ledger.next_wake(session)
        return None if wake is None else max(0.0, (wake - self._clock()).total_seconds())

    async def claim(self, limit: int) -> tuple[list[OutboxItem], Directory]:
        """Up to `limit` due rows — fewer when more would take this instance longer than
        CLAIM_AHEAD seconds to send at its share: rows held here wait while another instance
        with nothing left to do could have sent them."""
        ahead = max(self.config.concurrency, math.ceil(self._pacer.current_rate() * CLAIM_AHEAD))
        limit = min(limit, ahead - self._in_hand)
        if limit < min(ahead // 2, self.config.batch // 2) and self._in_hand:  # claims in chunks, not row by row
            return [], Directory()
        async with self._sessions.begin() as session:
            items = await ledger.claim_due(
                session, now=self._clock(), limit=limit, worker=self.name, lease=self.config.lease
            )
            found = await recipients.directory(session, items) if items else Directory()
        self._in_hand += len(items)
        return items, found

    async def run_once(self) -> Counter[str]:
        """One batch, as an instance of its own that leaves when done: recover, claim what is
        due, deliver it all. Returns the outcomes."""
        before = self.tally.copy()
        await self.recover()
        try:
            if await self.refresh_shared_state() <= 0:
                items, found = await self.claim(self.config.batch)
                await asyncio.gather(*(self.deliver(item, found) for item in items))
        finally:
            await self.leave()
        return self.tally - before

    async def deliver(self, item: OutboxItem, found: Directory) -> None:
        try:
            await self._deliver(item, found)
        except Exception:
            # Flagged, not retried: the failure may have come after Teams took the message.
            log.exception("delivering %s failed unexpectedly", item.key)
            why = "internal error while delivering; see the logs"
            try:
                await self._outcomes.record(item, DeliveryStatus.UNKNOWN, last_error=why)
            except Exception:  # the database too: the lease runs out and recovery flags it
                log.exception("could not flag %s unknown", item.key)
        finally:
            self._in_hand -= 1

    async def _deliver(self, item: OutboxItem, found: Directory) -> None:
        outcomes = self._outcomes
        if self.stopping:
            return await outcomes.hand_back(item, 0.0)
        try:
            route = await self._router.route(item, found)
        except Deferred as deferred:
            return await outcomes.hand_back(item, deferred.wait)
        except DeliveryError as error:  # reading a roster or opening a chat failed
            return await outcomes.failed(item, None, error, attempts=item.attempts + 1)
        if isinstance(route, Settle):
            return await outcomes.without_call(item, route)
        # What would wait long goes back before it is marked: a row must not sit in `sending`
        # (unknown after a crash) while it waits.
        wait = self._pacer.wait_time(route.pace_key)  # inf: until a call in flight is answered
        if (wait > self.config.max_local_wait and not math.isinf(wait)) or self.stopping:
            return await outcomes.hand_back(item, wait)
        # One of the `concurrency` places is held from `sending` to the answer, not while the
        # outcome is committed: a row waiting for a place would sit in `sending` (unknown after
        # a crash). The pacing slot is taken last, so the call reaches Teams when the limiter
        # said, not a commit's worth of jitter later.
        async with self._calls:
            if not await outcomes.sending(item):
                return None
            slot = await self._pacer.acquire(route.pace_key)
            outcome = await self._call_in(slot, route, item) if isinstance(slot, Slot) else None
        if outcome is None:  # a pause or a hold came up meanwhile: Teams was not called
            assert not isinstance(slot, Slot)
            return await outcomes.hand_back(item, slot, attempts=item.attempts)
        if isinstance(outcome, DeliveryError):
            return await outcomes.failed(item, route, outcome, attempts=item.attempts + 1)
        await outcomes.sent(item, route, outcome)

    async def _call_in(self, slot: Slot, route: Route, item: OutboxItem) -> Sent | DeliveryError:
        try:
            return await asyncio.wait_for(self._call(route, item), self.config.call_timeout)
        except DeliveryError as error:
            return error
        except TimeoutError:
            return DeliveryError.timeout(f"no answer within {self.config.call_timeout:g}s")
        finally:
            self._pacer.answered(slot)

    async def _call(self, route: Route, item: OutboxItem) -> Sent:
        if route.operation is Operation.THREAD:
            return await self._gateway.post_to_channel(route.address, item.payload)
        if route.operation is Operation.UPDATE:
            assert route.activity_id is not None
            return await self._gateway.update(route.address, route.activity_id, item.payload)
        return await self._gateway.send(route.address, item.payload)
