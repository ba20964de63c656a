"""Settings are parsed once and refuse bad values; outside local mode credentials are required."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from bot.settings import AppType, BotSdk, Settings
from storage.engine import new_engine


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_defaults_are_local_mode_on_the_embedded_sqlite() -> None:
    s = settings()
    assert s.local_mode
    assert s.database_url == "sqlite+aiosqlite:///./cqcbot.db"
    assert s.port == 3978 and s.timezone == "Europe/London"
    assert s.app_type is AppType.SINGLE_TENANT
    assert s.bot_sdk is BotSdk.BOTBUILDER


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"PORT": "70000"}, "less than or equal to 65535"),
        ({"PORT": "eighty"}, "valid integer"),
        ({"TIMEZONE": "Europe/Londn"}, "unknown time zone"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with"),
        ({"MicrosoftAppType": "Personal"}, "SingleTenant"),
        ({"SCHEDULER_ENABLED": "perhaps"}, "valid boolean"),
        ({"BOT_SDK": "teams"}, "'botbuilder' or 'agents'"),
        ({"MicrosoftAppId": "11111111-2222-3333-4444-555555555555"}, "MicrosoftAppPassword and MicrosoftAppTenantId"),
        (
            {"MicrosoftAppId": "11111111-2222-3333-4444-555555555555", "MicrosoftAppPassword": "s"},
            "MicrosoftAppTenantId must be set",
        ),
    ],
)
def test_bad_values_are_refused_with_a_reason(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(**values)


def test_complete_single_tenant_credentials_leave_local_mode() -> None:
    s = settings(
        MicrosoftAppId="11111111-2222-3333-4444-555555555555",
        MicrosoftAppPassword="secret",
        MicrosoftAppTenantId="72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    assert not s.local_mode


def _serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        capture_output=True,
        text=True,
        env=full,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_serve_refuses_to_start_without_credentials_outside_local_mode(tmp_path: Path) -> None:
    result = _serve({"MicrosoftAppId": "11111111-2222-3333-4444-555555555555"}, tmp_path)
    assert result.returncode == 2
    assert "Configuration error" in result.stderr and "MicrosoftAppPassword" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = _serve({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}, tmp_path)
    assert result.returncode == 2
    assert "cqcbot db upgrade" in result.stdout + result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_in_local_mode_says_so_loudly_and_answers_health_checks(tmp_path: Path) -> None:
    import urllib.request

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("Microsoft")},
        "DATABASE_URL": url,
        "PORT": str(port := _free_port()),
        "SCHEDULER_ENABLED": "false",
        "DELIVERY_ENABLED": "false",
        "COLUMNS": "200",
    }
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:
            lines.append(line)
            if "Serving on" in line:
                break
        banner = "".join(lines)
        assert "LOCAL MODE" in banner and "authentication is OFF" in banner
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                import time

                time.sleep(0.1)  # the port opens just after the banner
        else:
            raise AssertionError("the server never answered /healthz")
    finally:
        server.terminate()
        server.wait(timeout=10)


PRODUCTION = {
    "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
    "MicrosoftAppPassword": "s",
    "MicrosoftAppTenantId": "t",
    "DATABASE_URL": "postgresql+asyncpg://bot:pw@db.postgres.database.azure.com/cqcbot?ssl=require",
    "PUBLIC_URL": "https://cqcbot.council.example",
}


@pytest.mark.parametrize(
    ("given", "read"),
    [
        # What Azure's portal and pg_dump write (libpq's word) is what asyncpg calls ssl.
        (
            "postgresql+asyncpg://bot:p%40ss@db.example/cqcbot?sslmode=require",
            "postgresql+asyncpg://bot:p%40ss@db.example/cqcbot?ssl=require",
        ),
        (
            "postgresql+asyncpg://bot@db.example/cqcbot?sslmode=verify-full&ssl=require",
            "postgresql+asyncpg://bot@db.example/cqcbot?ssl=require",
        ),
        (
            "postgresql+asyncpg://bot@db.example/cqcbot?ssl=require",
            "postgresql+asyncpg://bot@db.example/cqcbot?ssl=require",
        ),
        ("sqlite+aiosqlite:///./sslmode=x.db", "sqlite+aiosqlite:///./sslmode=x.db"),
    ],
)
def test_libpq_sslmode_is_read_as_asyncpgs_ssl(given: str, read: str) -> None:
    assert settings(DATABASE_URL=given).database_url == read


async def test_an_sslmode_url_connects(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("sslmode is PostgreSQL's")
    engine = new_engine(database_url + ("&" if "?" in database_url else "?") + "sslmode=disable")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("values", "workers", "problem"),
    [
        ({**PRODUCTION, "DATABASE_URL": "sqlite+aiosqlite:///./cqcbot.db"}, 2, "2 workers on SQLite"),
        ({"DATABASE_URL": "sqlite+aiosqlite:///./cqcbot.db"}, 3, "3 workers on SQLite"),  # local mode too
        ({**PRODUCTION, "PUBLIC_URL": "http://localhost:3978"}, 1, "plain http"),
    ],
)
def test_serving_refuses_unsafe_combinations(values: dict[str, str], workers: int, problem: str) -> None:
    [found] = settings(**values).serving_problems(workers)
    assert problem in found


@pytest.mark.parametrize(
    ("values", "workers"),
    [
        (PRODUCTION, 4),
        ({}, 1),  # local mode on SQLite, one worker
        ({"PUBLIC_URL": "http://localhost:3978"}, 1),  # plain http is fine in local mode
    ],
)
def test_serving_accepts_safe_combinations(values: dict[str, str], workers: int) -> None:
    assert settings(**values).serving_problems(workers) == []


def test_web_concurrency_and_the_shutdown_grace_are_read_and_bounded() -> None:
    s = settings(WEB_CONCURRENCY="3", SHUTDOWN_GRACE_SECONDS="4")
    assert (s.web_concurrency, s.shutdown_grace_seconds) == (3, 4)
    assert settings().shutdown_grace_seconds == 10
    for bad in ({"WEB_CONCURRENCY": "0"}, {"SHUTDOWN_GRACE_SECONDS": "-1"}):
        with pytest.raises(ValidationError):
            settings(**bad)


MSI = {"MicrosoftAppId": "11111111-2222-3333-4444-555555555555", "MicrosoftAppType": "UserAssignedMSI"}


def test_outside_local_mode_links_need_a_secret_that_is_not_public() -> None:
    # A managed identity has no client secret, and the app id is in every user's Teams app package.
    with pytest.raises(ValidationError, match="REPORT_LINK_SECRET must be set"):
        settings(**MSI, MicrosoftAppTenantId="72f988bf-86f1-41af-91ab-2d7cd011db47")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        settings(**MSI, MicrosoftAppTenantId="72f988bf-86f1-41af-91ab-2d7cd011db47", REPORT_LINK_SECRET="short")
    s = settings(**MSI, MicrosoftAppTenantId="72f988bf-86f1-41af-91ab-2d7cd011db47", REPORT_LINK_SECRET="k" * 32)
    assert not s.local_mode and s.report_link_days == 30


def test_serve_refuses_to_start_without_a_link_secret_under_a_managed_identity(tmp_path: Path) -> None:
    result = _serve({**MSI, "MicrosoftAppTenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}, tmp_path)
    assert result.returncode != 0
    assert "REPORT_LINK_SECRET must be set" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
