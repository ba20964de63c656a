"""No `cqcbot` command shows a traceback: bad input is one clear message and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from bot.cli.main import app
from tests.cli_helpers import cqcbot, use_database

CLOSED_PORT_URL = "postgresql+asyncpg://cqc:s3cret-pw@127.0.0.1:9/plan"

# Arguments that are wrong in themselves, for the commands that take any.
BROKEN_ARGUMENTS: dict[str, list[str]] = {
    "db upgrade": ["no-such-revision"],
    "db downgrade": ["no-such-revision"],
    "db backup": ["/proc/no/such/dir/backup.db"],
    "db restore-check": ["missing-backup.db"],
    "plan import": ["missing-file.yaml", "--dry-run"],
    "plan export": ["--format", "xlsx"],
    "plan show": [],
    "plan schema": ["--no-such-option"],
    "manifest build": ["--app-id", "not-a-guid", "--output", "/proc/no/such/dir/app.zip"],
    "round open": ["--month", "2026-13"],
    "cycle open": ["--as-of", "yesterday"],
    "remind": ["--as-of", "2026-02-30T09:00"],
    "figures request": ["--as-of", "2026-12-01T25:00"],
    "job": ["teatime"],
    "tick": ["--as-of", "not a time"],
    "schedule": ["--as-of", "13/13/2026"],
    "deliver": ["--until-empty"],
    "outbox": [],
    "resend": ["--person", "not-an-email"],
    "digest": ["--month", "2026-00"],
    "report": ["--format", "pdf"],
    "assess record": ["safeguarding", "--score", "5", "--rationale", "", "--by", "nobody"],
    "assess show": ["no-such-statement"],
    "evidence add": ["--url", "http://user:pw@x/", "--title", "", "--statement", "x", "--category", "y", "--by", "z"],
    "evidence list": ["--since", "2026-02-30"],
    "evidence retire": ["not-a-number"],
    "evidence export": ["--format", "pdf"],
    "signoff plan": ["--by", "nobody"],
    "signoff show": ["--no-such-option"],
}


def leaf_commands() -> list[str]:
    """Every command the app has, found from its click tree (a new command is covered by default)."""
    root = typer.main.get_command(app)

    def walk(command: Any, prefix: list[str]) -> list[str]:
        children = getattr(command, "commands", None)  # a group (typer ships its own click)
        if children:
            return [name for sub, child in children.items() for name in walk(child, [*prefix, sub])]
        return [" ".join(prefix)]

    return sorted(walk(root, []))


def test_every_command_is_covered() -> None:
    assert set(leaf_commands()) - {"serve"} <= set(BROKEN_ARGUMENTS)


@pytest.mark.parametrize("database", ["closed port", "corrupt file"])
def test_every_command_with_broken_input_answers_without_a_traceback(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not an SQLite database " * 100)
    url = CLOSED_PORT_URL if database == "closed port" else f"sqlite+aiosqlite:///{corrupt}"
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for command in leaf_commands():
        if command == "serve":
            continue  # below, in its own process: it would start serving
        for args in ([], BROKEN_ARGUMENTS[command]):
            ran = cqcbot(capsys, *command.split(), *args)
            assert "Traceback" not in ran.output, (command, args, ran.output)
            assert "unexpected error" not in ran.output, (command, args, ran.output)
            assert "s3cret-pw" not in ran.output
            if command not in {"plan schema", "manifest build"} or args:
                assert ran.code != 0, (command, args, ran.output)
    assert not (tmp_path / "cache").exists(), "no command needed the unexpected-error log"


def test_an_unreachable_database_is_one_line_with_the_password_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, CLOSED_PORT_URL)
    ran = cqcbot(capsys, "db", "upgrade")
    assert ran.code == 2
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert "postgresql+asyncpg://cqc:***@127.0.0.1:9/plan" in lines[0]
    assert "Check DATABASE_URL, that the server is running" in lines[0]

    corrupt = tmp_path / "broken.db"
    corrupt.write_bytes(b"\x00garbage" * 500)
    use_database(monkeypatch, f"sqlite+aiosqlite:///{corrupt}")
    for args in (["db", "upgrade"], ["plan", "show"]):
        ran = cqcbot(capsys, *args)
        assert ran.code == 2
        assert ran.stderr.strip().splitlines() == [
            f"Cannot use the database at sqlite+aiosqlite:///{corrupt}: file is not a database. Check "
            "DATABASE_URL, that the folder exists, and that the file is this bot's SQLite database."
        ]


def test_an_unexpected_error_is_one_line_naming_its_log_and_debug_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import storage.plan_file.load as load

    def broken() -> dict[str, object]:
        raise RuntimeError("the schema file went missing")

    monkeypatch.setattr(load, "plan_schema", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ran = cqcbot(capsys, "plan", "schema")
    assert ran.code == 1
    log = tmp_path / "cqcbot" / "errors.log"
    assert ran.stderr.strip().splitlines() == [
        "cqcbot stopped on an unexpected error (RuntimeError: the schema file went missing); the full "
        f"traceback is in {log}. Run it again with --debug to see it here."
    ]
    assert "Traceback" in log.read_text("utf-8") and "the schema file went missing" in log.read_text("utf-8")

    shown = cqcbot(capsys, "plan", "schema", "--debug")
    assert shown.code == 1
    assert "Traceback (most recent call last)" in shown.stderr and "RuntimeError" in shown.stderr


def test_serve_with_a_bad_setting_and_the_installed_command_exit_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": CLOSED_PORT_URL, "MicrosoftAppId": "", "PORT": "not-a-port"}
    for args in (["serve"], ["db", "upgrade"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["report", "--format", "md"], ["digest"], ["round", "open"]])
def test_a_month_no_plan_can_have_is_refused_before_the_database_is_read(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, CLOSED_PORT_URL)  # never reached: the month is refused first
    ran = cqcbot(capsys, *command, "--month", "9999-12")
    assert ran.code != 0 and "2099-12" in ran.output, ran.output
    assert "Cannot use the database" not in ran.output
