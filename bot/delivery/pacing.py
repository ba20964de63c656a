"""The process-wide pacer: every call the delivery worker makes to Teams waits here for its slot
under the rate limits (domain.send_limits) and for any 429 pause."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from domain.send_limits import SendLimiter

Sleep = Callable[[float], Awaitable[None]]


class Slot(NamedTuple):
    key: str
    at: float  # monotonic seconds


class Pacer:
    def __init__(
        self,
        limiter: SendLimiter,
        *,
        max_wait: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._limiter = limiter
        self._pauses: list[tuple[float, float]] = []  # merged (start, end), for reports
        self._max_wait = max_wait
        self._monotonic = monotonic
        self._sleep = sleep

    async def acquire(self, key: str) -> Slot | float:
        """Wait for a slot for one call on `key` (a conversation) and return it; or, having waited
        for nothing, the seconds to put the call off by when the wait would be longer than
        `max_wait` — the caller hands the message back rather than hold it."""
        while True:
            booking = self._limiter.reserve(key, self._monotonic())
            if not booking.booked and booking.wait > self._max_wait:
                return booking.wait
            await self._sleep(booking.wait)
            if booking.booked and booking.at is not None:
                # A 429 may have paused everyone while this slot was coming up.
                paused = self._limiter.paused_for(self._monotonic())
                if paused > self._max_wait:
                    return paused
                if paused > 0:
                    await self._sleep(paused)
                return Slot(key, booking.at)

    def answered(self, slot: Slot) -> None:
        """The call made in `slot` has been answered (or failed): count it as of now."""
        self._limiter.answered(slot.key, slot.at, self._monotonic())

    def wait_time(self, key: str) -> float:
        """How long a call on `key` would wait now, booking nothing."""
        return self._limiter.wait_time(key, self._monotonic())

    def pause(self, seconds: float) -> None:
        """Teams said to back off: no call from this process starts for `seconds`."""
        start = self._monotonic()
        end = start + seconds
        self._limiter.pause_until(end)
        if self._pauses and start <= self._pauses[-1][1]:
            start = self._pauses[-1][0]
            end = max(end, self._pauses.pop()[1])
        self._pauses.append((start, end))

    def paused_total(self) -> tuple[int, float]:
        """How many separate pauses there were, and how many seconds they covered."""
        now = self._monotonic()
        return len(self._pauses), sum(min(end, now) - start for start, end in self._pauses)

    def paused_for(self) -> float:
        return self._limiter.paused_for(self._monotonic())
