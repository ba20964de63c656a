"""Conversations already stored: most activities repeat a known address, and need no write."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from domain.conversations import ConversationAddress


class RecentAddresses:
    """A bounded, expiring memory of addresses stored (and, for personal chats, linked to a person).

    Expiry keeps a long-running process honest if the database was changed under it.
    """

    def __init__(
        self, *, size: int = 10_000, ttl_seconds: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seen: OrderedDict[ConversationAddress, float] = OrderedDict()
        self._size = size
        self._ttl = ttl_seconds
        self._clock = clock

    def known(self, address: ConversationAddress) -> bool:
        stored_at = self._seen.get(address)
        if stored_at is None:
            return False
        if self._clock() - stored_at > self._ttl:
            del self._seen[address]
            return False
        return True

    def remember(self, address: ConversationAddress) -> None:
        self._seen[address] = self._clock()
        self._seen.move_to_end(address)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)

    def forget(self, address: ConversationAddress) -> None:
        self._seen.pop(address, None)
