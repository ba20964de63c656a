"""What a 429 says about the app's rate: additive increase, multiplicative decrease (AIMD).

The rule, and why. Teams answers 429 both when one conversation is over its own windows and when
the whole app is over its per-tenant rate, and its documentation does not say which one a given
429 is. Pausing everything on every 429 (the earlier rule) wasted most of a run on throttles that
named one conversation. So, as congestion control treats loss:

1. A 429 slows what it names: its conversation waits the Retry-After (the retry policy's delay);
   every other conversation goes on.
2. Only 429s from several conversations close together are the sign of the app-level limit: at
   least `min_conversations` different conversations, and at least `min_share` of the calls
   answered in the last `cluster_seconds`. (A few scattered 429s — a busy chat, a hiccup — are a
   small share; being over the app's rate throttles a large share of every conversation's calls.)
   Then the app's rate is multiplied by `decrease`, at most once per `cluster_seconds`, so one
   burst of answers to calls already in flight is one signal, not many.
3. After `quiet_seconds` with no such signal the rate grows back by `increase` (a share of the
   ceiling) per quiet period, up to the ceiling.
4. A whole-app pause only when the signal repeats within `quiet_seconds` of the last decrease:
   slowing down did not help, so everyone (every instance, through the database) waits the
   Retry-After.

Pure: times are monotonic seconds passed in.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class AimdPolicy:
    cluster_seconds: float = 2.0
    min_conversations: int = 3
    min_share: float = 0.2
    decrease: float = 0.5
    increase: float = 0.1  # of the ceiling, per quiet period
    quiet_seconds: float = 5.0
    floor: float = 1.0  # requests/s: never slower than this


class Signal(StrEnum):
    NONE = "none"  # a throttle for its conversation alone
    SLOW_DOWN = "slow down"  # the app's rate was cut
    PAUSE = "pause"  # repeated app-level throttling: everyone waits the Retry-After


class AppRate:
    """The app's current rate under a ceiling (this instance's share), moved by 429s."""

    def __init__(self, ceiling: float, policy: AimdPolicy | None = None) -> None:
        self.policy = policy or AimdPolicy()
        self._ceiling = ceiling
        self._rate = ceiling
        self._answers: deque[float] = deque()
        self._throttles: deque[tuple[float, str]] = deque()
        self._last_decrease: float | None = None
        self._grown_until = 0.0  # recovery is counted in quiet periods from here
        self.decreases = 0
        self.pauses = 0

    @property
    def ceiling(self) -> float:
        return self._ceiling

    def set_ceiling(self, ceiling: float) -> None:
        """A new share: keep the same fraction of it the 429s have left us."""
        self._rate = max(min(ceiling, self.policy.floor), self._rate * ceiling / self._ceiling)
        self._ceiling = ceiling

    def rate(self, now: float) -> float:
        """The rate to pace at now, grown back additively for every quiet period passed."""
        if self._rate < self._ceiling and self._last_decrease is not None:
            start = max(self._last_decrease, self._grown_until)
            periods = int((now - start) // self.policy.quiet_seconds)
            if periods > 0:
                step = self.policy.increase * self._ceiling
                self._rate = min(self._ceiling, self._rate + periods * step)
                self._grown_until = start + periods * self.policy.quiet_seconds
        return self._rate

    def answered(self, now: float) -> None:
        self._answers.append(now)
        self._trim(now)

    def throttled(self, conversation: str, now: float) -> Signal:
        """A 429 (already counted as answered) from `conversation`: what it means for the app."""
        self._throttles.append((now, conversation))
        self._trim(now)
        p = self.policy
        conversations = {key for _, key in self._throttles}
        share = len(self._throttles) / max(1, len(self._answers))
        if len(conversations) < p.min_conversations or share < p.min_share:
            return Signal.NONE
        last = self._last_decrease
        if last is not None and now - last < p.cluster_seconds:
            return Signal.NONE  # the same signal, still arriving from calls made before the cut
        self.rate(now)
        self._rate = max(min(p.floor, self._ceiling), self._rate * p.decrease)
        self._last_decrease = now
        self.decreases += 1
        self._throttles.clear()
        if last is not None and now - last < p.quiet_seconds:
            self.pauses += 1
            return Signal.PAUSE
        return Signal.SLOW_DOWN

    def _trim(self, now: float) -> None:
        since = now - self.policy.cluster_seconds
        while self._answers and self._answers[0] < since:
            self._answers.popleft()
        while self._throttles and self._throttles[0][0] < since:
            self._throttles.popleft()
