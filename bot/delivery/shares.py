"""One ceiling for the whole deployment: this instance's heartbeat and its share of the rate.

Each delivery worker beats in the database (storage.delivery_instances) and paces at
`ceiling / live instances` — per app, and per conversation too, since two instances may send to
one conversation. The changes are ordered so that the sum never exceeds the ceiling in any window:

- a share that falls (someone joined) falls at once;
- a share that rises because someone stopped rises one app window later (`SETTLE`), after the
  calls it made before it went have left every one-second window; because someone died, at once:
  its lease (at least `beat_every + SETTLE`) has already outlasted its last calls;
- an instance that joins while others are live sends nothing until they have all beaten at least
  once since (`beat_every`) and their calls at the old share have left the window (`SETTLE`).

A dead instance's lease runs out; the next beat of any other removes it, hands back its claims
(those it was sending become `unknown`, as after any crash) and returns its share within the lease.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.delivery.pacing import Pacer
from domain.send_limits import SendLimiter, Window, shared_windows
from storage import delivery_instances as instances
from storage import outbox as ledger
from storage.engine import Sessions

log = logging.getLogger(__name__)

SETTLE = 1.25  # seconds: the app's one-second window, and some slack for a late loop
BEAT_AT_MOST_EVERY = 1.0  # seconds: a joining instance waits about this long for the others


class CeilingShare:
    def __init__(
        self,
        sessions: Sessions,
        pacer: Pacer,
        limiter: SendLimiter,
        *,
        name: str,
        ceiling: float,
        conversation_windows: tuple[Window, ...],
        lease: timedelta,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.live = 1
        self._sessions = sessions
        self._pacer = pacer
        self._limiter = limiter
        self._name = name
        self._ceiling = ceiling
        self._conversation_windows = conversation_windows
        self._lease = lease
        self._clock = clock
        self._monotonic = monotonic
        self.beat_every = min(lease.total_seconds() / 4, BEAT_AT_MOST_EVERY)
        self._next_beat = float("-inf")
        self._rise: tuple[float, int] | None = None  # (when, live count) a higher share applies

    async def refresh(self) -> None:
        """Beat when it is time, and apply a share that was waiting to rise."""
        now = self._monotonic()
        if now >= self._next_beat:
            self._next_beat = now + self.beat_every
            await self._beat()
        if self._rise is not None and self._monotonic() >= self._rise[0]:
            self._apply(self._rise[1])
            self._rise = None

    async def leave(self) -> None:
        async with self._sessions.begin() as session:
            await instances.leave(session, self._name)
        self._next_beat = float("-inf")

    async def _beat(self) -> None:
        async with self._sessions.begin() as session:
            now = self._clock()
            membership = await instances.beat(
                session, name=self._name, now=now, lease=self._lease, share=self._pacer.share
            )
            if membership.dead:
                recovered = await ledger.recover_abandoned(session, now=now, dead_workers=membership.dead)
        if membership.dead:
            log.warning(
                "delivery instance(s) %s stopped beating: their share returns; %d claim(s) handed back, "
                "%d flagged unknown",
                ", ".join(membership.dead),
                recovered.requeued,
                recovered.unknown,
            )
        live = membership.live
        if membership.joined and live > 1:
            # The others learn of us at their next beat; their calls at the old share must age out.
            self._pacer.hold_all(self.beat_every + SETTLE)
        # The dead made their last calls before their lease ran out, a window and more ago
        # (lease ≥ beat_every + SETTLE); only a clean leave can have called just now.
        only_dead_went = live == self.live - len(membership.dead)
        if live >= self.live or membership.joined or only_dead_went:
            self._rise = None
            self._apply(live)
        elif self._rise is None or self._rise[1] != live:
            self._rise = (self._monotonic() + SETTLE, live)

    def _apply(self, live: int) -> None:
        if live != self.live:
            log.info("%d delivery instance(s) live: this one paces at %.1f/s", live, self._ceiling / live)
        self.live = live
        self._pacer.set_share(self._ceiling / live)
        self._limiter.set_conversation_windows(shared_windows(self._conversation_windows, live))
