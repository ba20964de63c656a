"""The real bot and the Microsoft 365 Agents Playground, child processes on free loopback ports.

`bot_server` runs `python -m bot serve` in local mode on a copy of a database made once per session
with the real CLI (`db upgrade`, `plan import examples/halton-plan.yaml`). `playground` runs the
Playground (npm @microsoft/m365agentsplayground, pinned in tests/node) pointed at that bot, with the
users of `.m365agentsplayground.yml` beside this file: its current user is Joanne Kelly, an owner
in the example plan.
Both are stopped (SIGTERM, then SIGKILL, whole process group) when the test ends, pass or fail.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests.playground.client import Playground
from tests.playground.processes import ManagedProcess, free_port, http_ok, run_command

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "tests" / "node"
PLAYGROUND_PACKAGE = NODE_DIR / "node_modules" / "@microsoft" / "m365agentsplayground"
PLAYGROUND_CONFIG = Path(__file__).resolve().parent / ".m365agentsplayground.yml"
EXAMPLE_PLAN = REPO / "examples" / "halton-plan.yaml"

# Generous but bounded: CI machines are small (2 cores) and other suites may share them.
START_TIMEOUT = 90.0  # a process is serving
CLI_TIMEOUT = 180.0  # one `cqcbot` command
STEP_TIMEOUT = 30.0  # one reply seen in the Playground

# Settings that must not leak in from the developer's shell: the tests choose them all.
_BOT_SETTINGS = (
    "MicrosoftAppId",
    "MicrosoftAppPassword",
    "MicrosoftAppType",
    "MicrosoftAppTenantId",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_APP_TENANT_ID",
    "DATABASE_URL",
    "HOST",
    "PORT",
    "TIMEZONE",
    "SCHEDULER_ENABLED",
    "DELIVERY_ENABLED",
    "LOG_LEVEL",
    "BOT_SDK",
)


def require_playground_tools() -> None:
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: install Node.js 20+, then run `make playground-tools`")
    if not (PLAYGROUND_PACKAGE / "cli.js").is_file():
        pytest.fail(f"the Agents Playground is not installed in {NODE_DIR}/node_modules: run `make playground-tools`")


def bot_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _BOT_SETTINGS}
    env.update(
        {
            "DATABASE_URL": database_url,
            "MicrosoftAppId": "",
            "SCHEDULER_ENABLED": "false",
            "DELIVERY_ENABLED": "false",
            "TIMEZONE": "Europe/London",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
    )
    env.update(extra)
    return env


def cqcbot(*args: str, database_url: str, cwd: Path, what: str, edge: str = "botbuilder") -> str:
    """`python -m bot ARGS` on ``database_url``, run in a scratch folder (so no .env is read)."""
    done = run_command(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=bot_env(database_url, BOT_SDK=edge),
        timeout=CLI_TIMEOUT,
        what=what,
    )
    return done.stdout


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def plan_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated and loaded with the example plan by the real CLI, once."""
    folder = tmp_path_factory.mktemp("playground-plan-db")
    path = folder / "plan.db"
    cqcbot(
        "db",
        "upgrade",
        database_url=sqlite_url(path),
        cwd=folder,
        what="migrating the test database",
    )
    cqcbot(
        "plan",
        "import",
        str(EXAMPLE_PLAN),
        database_url=sqlite_url(path),
        cwd=folder,
        what="importing examples/halton-plan.yaml",
    )
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-journal"))]
    assert not leftovers, f"the CLI left {leftovers} behind: the database file alone is not the whole database"
    return path


@dataclass
class BotServer:
    url: str
    database_url: str
    workdir: Path
    process: ManagedProcess
    edge: str

    @property
    def endpoint(self) -> str:
        return f"{self.url}/api/messages"

    def cli(self, *args: str, what: str) -> str:
        """A `cqcbot` command against the running bot's database (as an operator would run it)."""
        # On the server's edge too: `cqcbot deliver` sends through the same SDK as the server.
        return cqcbot(*args, database_url=self.database_url, cwd=self.workdir, what=what, edge=self.edge)


@pytest.fixture
def bot_server(plan_database: Path, tmp_path: Path, edge: str) -> Iterator[BotServer]:
    workdir = tmp_path / "bot"
    workdir.mkdir()
    database = workdir / "bot.db"
    shutil.copyfile(plan_database, database)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = ManagedProcess(
        "the bot (python -m bot serve)",
        [sys.executable, "-m", "bot", "serve"],
        cwd=workdir,
        env=bot_env(sqlite_url(database), HOST="127.0.0.1", PORT=str(port), BOT_SDK=edge),
        log_path=tmp_path / "bot.log",
    )
    try:
        process.wait_until(http_ok(f"{url}/healthz", expect='"ok"'), "answering GET /healthz", START_TIMEOUT)
        yield BotServer(url, sqlite_url(database), workdir, process, edge)
    finally:
        process.stop()


@dataclass
class PlaygroundServer:
    url: str
    process: ManagedProcess


@pytest.fixture
def playground_server(bot_server: BotServer, tmp_path: Path) -> Iterator[PlaygroundServer]:
    require_playground_tools()
    workdir = tmp_path / "playground"
    workdir.mkdir()
    env = {
        **os.environ,
        "BOT_ENDPOINT": bot_server.endpoint,
        "TEAMSAPPTESTER_BROWSER": "none",  # do not try to open a browser
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(PLAYGROUND_CONFIG),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(tmp_path / "playground-debug.log"),
    }
    # The Playground falls back to a random port when the one asked for is taken: read the real one.
    process = ManagedProcess(
        "the Agents Playground",
        ["node", str(PLAYGROUND_PACKAGE / "cli.js"), "--disable-telemetry", "-p", str(free_port())],
        cwd=workdir,
        env=env,
        log_path=tmp_path / "playground.log",
    )
    try:
        port = int(process.wait_for_line(r"Listening on (\d+)", START_TIMEOUT).group(1))
        url = f"http://127.0.0.1:{port}"
        process.wait_until(http_ok(f"{url}/_debug/ping", expect="pong"), "answering /_debug/ping", START_TIMEOUT)
        yield PlaygroundServer(url, process)
    finally:
        process.stop()


@pytest.fixture
async def playground(playground_server: PlaygroundServer) -> AsyncIterator[Playground]:
    """The Playground's API as its current user, with the WebSocket stream of what the bot sends."""
    async with (
        ClientSession() as http,  # each call has its own timeout; the WebSocket lives on
        Playground(playground_server.url, http, STEP_TIMEOUT) as client,
    ):
        yield client
