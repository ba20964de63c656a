"""What the chat-facing services share: sessions, the clock, and the council's local date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from storage.engine import Sessions


class LocalService:
    def __init__(self, sessions: Sessions, clock: Callable[[], datetime], timezone: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._zone = ZoneInfo(timezone)

    def _today(self) -> date:
        """Today where the council is: deadlines and leave are local dates."""
        return self._clock().astimezone(self._zone).date()
