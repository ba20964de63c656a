"""Teams' rate limits as sliding windows: how long a send must wait so no window overflows.

Pure and clock-free: every method takes `now` in monotonic seconds, so tests replay any schedule.
Teams counts every send and every conversation creation per conversation (thread) against
7 per 1 s, 8 per 2 s, 60 per 30 s and 1800 per hour, and all calls of the app against a rate per
second (30 in the older page, 50 in the current one).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    limit: int  # at most this many sends...
    seconds: float  # ...in any span this long
    smoothing: bool = False  # ours, not Teams': paces bookings, need not hold at arrival


TEAMS_CONVERSATION_WINDOWS: tuple[Window, ...] = (
    Window(7, 1.0),
    Window(8, 2.0),
    Window(60, 30.0),
    Window(1800, 3600.0),
)


def app_windows(rate: float) -> tuple[Window, ...]:
    """The per-app rate: at most `rate` sends in any second, booked evenly (one per 1/rate s).

    Even booking never bursts: a burst is booked at once but sent over the time its database
    commits and HTTP calls take, so it would reach Teams bunched up against the next second's.
    """
    if rate <= 0:
        raise ValueError("the app rate must be positive")
    if rate < 1:
        return (Window(1, 1.0 / rate),)
    return (Window(int(rate), 1.0), Window(1, 1.0 / rate, smoothing=True))


class _Series:
    """The sends under one key. `booked`: when each was booked, ascending (a booking only ever
    goes after the last). `counted`: when Teams may have counted each — its booking until it is
    answered, then its answer, the latest it can have arrived — kept sorted."""

    def __init__(self, windows: tuple[Window, ...], margin: float) -> None:
        self.windows = tuple(Window(w.limit, w.seconds * (1 + margin), w.smoothing) for w in windows)
        self.horizon = max(w.seconds for w in self.windows)
        self.booked: list[float] = []
        self.counted: list[float] = []

    def earliest(self, now: float) -> float:
        """The first moment ≥ now (and ≥ the last booking) when one more send fits every window."""
        at = max(now, self.booked[-1]) if self.booked else now
        for window in self.windows:
            times = self.booked if window.smoothing else self.counted
            if len(times) >= window.limit:
                # The send `limit` places back must have left the window.
                at = max(at, times[-window.limit] + window.seconds)
        return at

    def book(self, at: float) -> None:
        self.booked.append(at)
        insort(self.counted, at)

    def answered(self, booked_at: float, now: float) -> None:
        i = bisect_left(self.counted, booked_at)
        if i < len(self.counted) and self.counted[i] == booked_at and now > booked_at:
            del self.counted[i]
            insort(self.counted, now)

    def forget(self, now: float) -> None:
        """Drop sends too old to matter for any send from `now` on."""
        for times in (self.booked, self.counted):
            cut = bisect_right(times, now - self.horizon)
            if cut:
                del times[:cut]

    @property
    def last(self) -> float | None:
        return max(self.booked[-1], self.counted[-1]) if self.booked else None


@dataclass(frozen=True)
class Booking:
    """`booked`: a slot is taken (at `at`) and the send goes after `wait` seconds. Otherwise
    nothing is booked and the caller should ask again after `wait` seconds (or put it off)."""

    booked: bool
    wait: float
    at: float | None = None


class SendLimiter:
    """Per-conversation and per-app sliding windows, plus a pause every send honours (a 429).

    Teams counts a send when it arrives, which is after it was booked and before it was answered:
    an answered send counts from its answer (`answered`), so slots keep their distance however
    late a call went out. `margin` lengthens every window by that share (0.02: 2 %) for what
    remains: sends still unanswered when a window is checked.
    """

    def __init__(
        self,
        app_rate: float = 30.0,
        *,
        conversation_windows: tuple[Window, ...] = TEAMS_CONVERSATION_WINDOWS,
        margin: float = 0.02,
    ) -> None:
        self._app = _Series(app_windows(app_rate), margin)
        self._conversation_windows = conversation_windows
        self._margin = margin
        self._conversations: dict[str, _Series] = {}
        self._paused_until = float("-inf")
        self._bookings = 0

    def pause_until(self, until: float) -> None:
        """No send starts before `until` (monotonic seconds); a shorter pause never shortens it."""
        self._paused_until = max(self._paused_until, until)

    def paused_for(self, now: float) -> float:
        return max(0.0, self._paused_until - now)

    def wait_time(self, conversation: str, now: float) -> float:
        """Seconds before one more send to `conversation` fits every window (0.0: it fits now)."""
        series = self._conversations.get(conversation)
        ready = series.earliest(now) if series else now
        return max(0.0, max(ready, self._app.earliest(ready), self._paused_until) - now)

    def reserve(self, conversation: str, now: float) -> Booking:
        """Book a slot for one send to `conversation` if the conversation and pause allow it now.

        The per-app slot may lie a little in the future (the returned wait). A conversation that
        must wait books nothing, so it never holds up sends to other conversations.
        """
        paused = self.paused_for(now)
        if paused > 0:
            return Booking(False, paused)
        series = self._conversations.get(conversation)
        if series is None:
            series = _Series(self._conversation_windows, self._margin)
            self._conversations[conversation] = series
        series.forget(now)
        self._app.forget(now)
        ready = series.earliest(now)
        if ready > now:
            return Booking(False, ready - now)
        at = self._app.earliest(now)
        self._app.book(at)
        series.book(at)
        self._bookings += 1
        if self._bookings % 1000 == 0:
            self._forget_idle(now)
        return Booking(True, at - now, at)

    def answered(self, conversation: str, booked_at: float, now: float) -> None:
        """The send booked at `booked_at` has had its answer, so it reached Teams at some moment
        up to `now`: count it at `now`. Slots after it then keep their distance from when Teams
        really counted it, however late the call went out (a cold connection, a busy thread)."""
        self._app.answered(booked_at, now)
        series = self._conversations.get(conversation)
        if series is not None:
            series.answered(booked_at, now)

    def _forget_idle(self, now: float) -> None:
        conversations = self._conversations.items()
        idle = [k for k, s in conversations if s.last is None or s.last < now - s.horizon]
        for key in idle:
            del self._conversations[key]
