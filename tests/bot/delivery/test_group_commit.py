"""Group commit: concurrent writes share transactions, and one bad write does not sink the rest."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.group_commit import GroupCommit
from storage.models import Person
from tests.bot.delivery.helpers import add_people


async def test_writes_are_grouped_and_a_failing_one_fails_alone(sessions: async_sessionmaker[AsyncSession]) -> None:
    people = await add_people(sessions, 5, "http://127.0.0.1:9/")
    writer = GroupCommit(sessions)

    def rename(person_id: int, name: str):  # type: ignore[no-untyped-def]
        async def write(session: AsyncSession) -> int:
            result = await session.execute(update(Person).where(Person.id == person_id).values(name=name))
            return result.rowcount  # type: ignore[attr-defined,no-any-return]

        return write

    async def broken(session: AsyncSession) -> None:
        await session.execute(text("UPDATE no_such_table SET x = 1"))

    results = await asyncio.gather(
        *(writer.write(rename(p, f"Renamed {p}")) for p in people), writer.write(broken), return_exceptions=True
    )

    assert results[:5] == [1, 1, 1, 1, 1]
    assert isinstance(results[5], Exception)
    async with sessions() as session:
        names = set((await session.scalars(select(Person.name))).all())
    assert names == {f"Renamed {p}" for p in people}


async def test_a_caller_gets_its_own_result(sessions: async_sessionmaker[AsyncSession]) -> None:
    writer = GroupCommit(sessions)

    async def answer(value: int):  # type: ignore[no-untyped-def]
        async def write(session: AsyncSession) -> int:
            return value

        return await writer.write(write)

    assert await asyncio.gather(*(answer(n) for n in range(10))) == list(range(10))
    with pytest.raises(ZeroDivisionError):

        async def boom(session: AsyncSession) -> None:
            raise ZeroDivisionError

        await writer.write(boom)
