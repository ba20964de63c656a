"""Group commit: many small writes from concurrent tasks share one transaction.

SQLite has one writer at a time, and a delivery worker writes twice per message (`sending` before
the Teams call, the outcome after it). Writing them one transaction each makes the tasks queue
on the lock; here whatever is waiting when a transaction starts goes into it, and every caller
is answered when its write is committed (or has failed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[Any]]
LOCK_RETRIES = 3  # a busy database ("database is locked", a lock timeout) gets this many more tries


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._queue: list[tuple[Write, asyncio.Future[Any]]] = []
        self._running: asyncio.Task[None] | None = None

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` in the next group's transaction; returns its result once committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue, []
            try:
                results = await self._commit([work for work, _ in group])
            except Exception as exc:
                if len(group) == 1:
                    _answer(group[0][1], error=exc)
                    continue
                # One bad write must not sink the others: commit them one by one.
                log.warning("a group of %d writes failed (%s); writing them one by one", len(group), exc)
                for work, future in group:
                    try:
                        [result] = await self._commit([work])
                    except Exception as single:
                        _answer(future, error=single)
                    else:
                        _answer(future, result=result)
                continue
            for (_, future), result in zip(group, results, strict=True):
                _answer(future, result=result)

    async def _commit(self, works: list[Write]) -> list[Any]:
        for retry in range(LOCK_RETRIES + 1):
            try:
                async with self._sessions.begin() as session:
                    return [await work(session) for work in works]
            except OperationalError:
                if retry == LOCK_RETRIES:
                    raise
                log.warning("the database is busy; writing again (%d)", retry + 1)
        raise AssertionError("unreachable")


def _answer(future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None) -> None:
    if future.done():  # the caller was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
