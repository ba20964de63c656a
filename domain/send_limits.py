"""Teams' rate limits as sliding windows that no send can overflow, whenever Teams counts it.

Pure and clock-free: every method takes `now` in monotonic seconds, so tests replay any schedule.
Teams counts every send and every conversation creation per conversation (thread) against
7 per 1 s, 8 per 2 s, 60 per 30 s and 1800 per hour, and every call of the app against a rate per
second (50 per app per tenant; 30 in an older page).

Teams counts a request when it arrives, which we cannot see: only that it lies between the moment
we started the call and the moment its answer came back (never, yet, while it is in flight). So a
call may start at `t` only if fewer than `limit` earlier calls were answered after `t - seconds`
(a call in flight counts as answered at infinity). Then no `limit + 1` calls can have arrived within
`seconds` of each other, whatever their latencies: of any such group, the one started last started
before the group's last arrival, so all the others were answered after that start minus the
window — and it would have had to wait. That is exact, not a bucket: nothing bursts past a window.
"""

from __future__ import annotations

import math
from bisect import bisect_right, insort
from dataclasses import dataclass

INFLIGHT = math.inf  # the answer time of a call not answered yet


@dataclass(frozen=True)
class Window:
    limit: int  # at most this many calls...
    seconds: float  # ...in any span this long


TEAMS_CONVERSATION_WINDOWS: tuple[Window, ...] = (
    Window(7, 1.0),
    Window(8, 2.0),
    Window(60, 30.0),
    Window(1800, 3600.0),
)


def app_windows(rate: float) -> tuple[Window, ...]:
    """The per-app rate as a window: `rate` calls in any second (a fraction rounds down, so
    shares of a ceiling never add up to more than it), or one call per 1/rate s below 1/s."""
    if rate <= 0:
        raise ValueError("the app rate must be positive")
    if rate < 1:
        return (Window(1, 1.0 / rate),)
    return (Window(math.floor(rate), 1.0),)


def shared_windows(windows: tuple[Window, ...], instances: int) -> tuple[Window, ...]:
    """One instance's part of a conversation's windows when `instances` may send to it: the limits
    divided, rounded down, at least one. Exact while `instances` ≤ the smallest limit (7)."""
    if instances <= 1:
        return windows
    return tuple(Window(max(1, w.limit // instances), w.seconds) for w in windows)


class CallLog:
    """The calls made under one key: their answer times (INFLIGHT until answered), sorted."""

    def __init__(self, windows: tuple[Window, ...]) -> None:
        self.windows = windows
        self.answers: list[float] = []

    def ready_at(self, now: float) -> float:
        """The first moment ≥ now when one more call fits every window (INFLIGHT: not before an
        answer comes back)."""
        at = now
        for window in self.windows:
            if len(self.answers) >= window.limit:
                # The `limit`-th latest answer must have left the window.
                at = max(at, self.answers[-window.limit] + window.seconds)
        return at

    def started(self) -> None:
        self.answers.append(INFLIGHT)

    def answered(self, now: float) -> None:
        if self.answers and self.answers[-1] == INFLIGHT:
            self.answers.pop()  # every call in flight looks alike: any one of them stands for it
            insort(self.answers, now)

    def forget(self, now: float) -> None:
        """Drop answers too old to matter for any call from `now` on."""
        horizon = max((w.seconds for w in self.windows), default=0.0)
        cut = bisect_right(self.answers, now - horizon)
        if cut:
            del self.answers[:cut]

    @property
    def idle(self) -> bool:
        return not self.answers


class SendLimiter:
    """The app's window and each conversation's, a hold on a conversation Teams throttled, and a
    pause every call honours. A call is `start`ed when it goes out and `answer`ed when its answer
    (or failure) comes back; `wait_time` says how long a call must wait before it may start.

    `spacing` (ours, not Teams'): calls are also spread one per 1/rate s, with `tolerance` seconds
    of catching up after a late start, so they do not queue up at Teams and come back late.
    """

    def __init__(
        self,
        app_rate: float = 50.0,
        *,
        conversation_windows: tuple[Window, ...] = TEAMS_CONVERSATION_WINDOWS,
        spacing: bool = True,
        tolerance: float = 0.1,
    ) -> None:
        self._app = CallLog(app_windows(app_rate))
        self._rate = app_rate
        self._conversation_windows = conversation_windows
        self._conversations: dict[str, CallLog] = {}
        self._holds: dict[str, float] = {}
        self._paused_until = -math.inf
        self._spacing = spacing
        self._tolerance = tolerance
        self._next_slot = -math.inf  # when the next evenly spaced call is due
        self._starts = 0

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        """A new app rate, from now on. Lowering it takes effect at once (the calls already made
        count against the smaller window); raising it too, so a caller that raises a share other
        instances were using waits a window first."""
        self._rate = rate
        self._app.windows = app_windows(rate)

    def set_conversation_windows(self, windows: tuple[Window, ...]) -> None:
        self._conversation_windows = windows
        for log in self._conversations.values():
            log.windows = windows

    def pause_until(self, until: float) -> None:
        """No call starts before `until`; a shorter pause never shortens a longer one."""
        self._paused_until = max(self._paused_until, until)

    def paused_for(self, now: float) -> float:
        return max(0.0, self._paused_until - now)

    def hold(self, conversation: str, until: float) -> None:
        """No call to `conversation` starts before `until` (Teams throttled it); others go on."""
        self._holds[conversation] = max(self._holds.get(conversation, -math.inf), until)

    def wait_time(self, conversation: str, now: float) -> float:
        """Seconds before one more call to `conversation` may start (0.0: now; INFLIGHT: once a
        call in flight is answered)."""
        ready = max(now, self._paused_until, self._holds.get(conversation, -math.inf))
        log = self._conversations.get(conversation)
        if log is not None:
            ready = log.ready_at(ready)
        ready = self._app.ready_at(ready)
        if self._spacing:
            ready = max(ready, self._next_slot - self._tolerance)
        return max(0.0, ready - now)

    def start(self, conversation: str, now: float) -> bool:
        """Count a call to `conversation` starting now, if it may; False (nothing counted) if not."""
        if self.wait_time(conversation, now) > 0:
            return False
        log = self._conversations.get(conversation)
        if log is None:
            log = self._conversations[conversation] = CallLog(self._conversation_windows)
        log.started()
        self._app.started()
        self._next_slot = max(now, self._next_slot) + 1.0 / self._rate
        self._starts += 1
        if self._starts % 1000 == 0:
            self._forget(now)
        return True

    def answered(self, conversation: str, now: float) -> None:
        """A call to `conversation` started earlier has its answer (or gave up) now."""
        self._app.answered(now)
        log = self._conversations.get(conversation)
        if log is not None:
            log.answered(now)

    def in_flight(self) -> int:
        return sum(1 for t in self._app.answers if t == INFLIGHT)

    def _forget(self, now: float) -> None:
        self._app.forget(now)
        for key, log in list(self._conversations.items()):
            log.forget(now)
            if log.idle:
                del self._conversations[key]
        self._holds = {k: t for k, t in self._holds.items() if t > now}
