"""Running `cqcbot` in this process, through the same error boundary as the installed command."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli.boundary import run_guarded
from bot.cli.console import err
from bot.cli.main import app
from storage.engine import new_engine
from storage.models import Base


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cqcbot(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    """Run one command (sync: the command runs its own event loop) and capture what it printed."""
    capsys.readouterr()
    code = run_guarded(lambda argv: app(args=argv, prog_name="cqcbot"), list(args), err)
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.setenv("COLUMNS", "200")


def database_state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare the database before and after a refused import."""

    async def read() -> dict[str, list[tuple[Any, ...]]]:
        engine = new_engine(url)
        try:
            async with engine.connect() as connection:
                state = {}
                for table in Base.metadata.sorted_tables:
                    rows = (await connection.execute(select(table))).all()
                    state[table.name] = sorted((tuple(r) for r in rows), key=repr)
                return state
        finally:
            await engine.dispose()

    return asyncio.run(read())
