"""The process-wide pacer: every call the delivery worker makes to Teams waits here until the
sliding windows (domain.send_limits) let it start, and tells them when it was answered. 429s
go through here too: they hold their conversation and feed the app rate's AIMD
(domain.congestion), which may cut the rate or, when cutting did not help, pause everything."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from domain.congestion import AppRate, Signal
from domain.send_limits import SendLimiter

Sleep = Callable[[float], Awaitable[None]]
ANSWER_POLL = 0.005  # seconds between looks while every slot is held by a call in flight


class Slot(NamedTuple):
    key: str  # the conversation the call counts against


class Pacer:
    def __init__(
        self,
        limiter: SendLimiter,
        rate: AppRate,
        *,
        max_wait: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._limiter = limiter
        self._rate = rate
        self._pauses: list[tuple[float, float]] = []  # merged (start, end), for reports
        self._max_wait = max_wait
        self._monotonic = monotonic
        self._sleep = sleep

    async def acquire(self, key: str) -> Slot | float:
        """Wait until a call on `key` (a conversation) may start and count it as started; or,
        when the wait would be longer than `max_wait`, count nothing and return the seconds to
        put the call off by — the caller hands the message back rather than hold it."""
        while True:
            now = self._monotonic()
            self._follow_rate(now)
            wait = self._limiter.wait_time(key, now)
            if wait <= 0 and self._limiter.start(key, now):
                return Slot(key)
            if wait > self._max_wait and not math.isinf(wait):
                return wait
            await self._sleep(ANSWER_POLL if math.isinf(wait) else wait)

    def answered(self, slot: Slot) -> None:
        """The call made in `slot` has been answered (or failed, or timed out) just now."""
        now = self._monotonic()
        self._limiter.answered(slot.key, now)
        self._rate.answered(now)

    def throttled(self, key: str, retry_after: float) -> Signal:
        """Teams answered a call on `key` with 429: that conversation waits `retry_after`; the
        app's rate is cut, or everything paused, only as domain.congestion says."""
        now = self._monotonic()
        self._limiter.hold(key, now + retry_after)
        signal = self._rate.throttled(key, now)
        if signal is Signal.PAUSE:
            self.pause(retry_after)
        self._follow_rate(now)
        return signal

    def wait_time(self, key: str) -> float:
        """How long a call on `key` would wait now, counting nothing (inf: until an answer)."""
        now = self._monotonic()
        self._follow_rate(now)
        return self._limiter.wait_time(key, now)

    def set_share(self, share: float) -> None:
        """This instance's part of the deployment's ceiling (from the instances' heartbeats)."""
        if share != self._rate.ceiling:
            self._rate.set_ceiling(share)
            self._follow_rate(self._monotonic())

    @property
    def share(self) -> float:
        return self._rate.ceiling

    def current_rate(self) -> float:
        return self._rate.rate(self._monotonic())

    def pause(self, seconds: float) -> None:
        """No call from this process starts for `seconds` (repeated app-level 429s, here or in
        another instance)."""
        start = self._monotonic()
        end = start + seconds
        self._limiter.pause_until(end)
        if self._pauses and start <= self._pauses[-1][1]:
            start = self._pauses[-1][0]
            end = max(end, self._pauses.pop()[1])
        self._pauses.append((start, end))

    def hold_all(self, seconds: float) -> None:
        """No call starts for `seconds`, not as a 429 pause (an instance joining waits its turn)."""
        self._limiter.pause_until(self._monotonic() + seconds)

    def paused_total(self) -> tuple[int, float]:
        """How many separate pauses there were, and how many seconds they covered."""
        now = self._monotonic()
        return len(self._pauses), sum(min(end, now) - start for start, end in self._pauses)

    def paused_for(self) -> float:
        return self._limiter.paused_for(self._monotonic())

    def decreases(self) -> int:
        return self._rate.decreases

    def _follow_rate(self, now: float) -> None:
        rate = self._rate.rate(now)
        if rate != self._limiter.rate:
            self._limiter.set_rate(rate)
