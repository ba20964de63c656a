"""The scheduler's jobs from the command line, through the same code path, with --as-of."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.scheduler.conftest import Harness


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": "", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def test_cycle_open_job_and_tick_from_the_command_line(harness: Harness, database_url: str) -> None:
    opened = cli(database_url, "cycle", "open", "--as-of", "2026-12-01T09:00")
    assert opened.returncode == 0, opened.stderr
    assert "queued  prompt progress-2026-12" in opened.stdout
    again = cli(database_url, "job", "open-cycle", "--as-of", "2026-12-01T09:30")
    assert "0 messages queued" in again.stdout
    by_its_name = cli(database_url, "round", "open", "--as-of", "2026-12-01T09:45")  # `cycle` is its alias
    assert by_its_name.returncode == 0 and "0 messages queued" in by_its_name.stdout
    reminded = cli(database_url, "remind", "--as-of", "2026-12-16T09:00")
    assert "reminder progress-2026-12" in reminded.stdout and "overdue-1" in reminded.stdout
    ticked = cli(database_url, "tick", "--as-of", "2026-12-16T09:00")
    assert ticked.returncode == 0 and "digest" in ticked.stdout  # the digest is due that morning too
    keys = await harness.keys()
    assert len(keys) == len(set(keys))


def test_bad_as_of_and_unknown_job_are_refused_clearly(harness: Harness, database_url: str) -> None:
    result = cli(database_url, "tick", "--as-of", "next tuesday")
    assert result.returncode == 2 and "ISO 8601" in result.stderr
    result = cli(database_url, "job", "teatime")
    assert result.returncode == 2 and "unknown job" in result.stderr


def test_schedule_shows_a_pending_catch_up_first(harness: Harness, database_url: str) -> None:
    result = cli(database_url, "schedule", "--as-of", "2026-12-01T18:38")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "│" in line or "|" in line]
    first = next(line for line in lines if "round" in line)
    assert "open December 2026's round" in first
    assert "Wed 02 Dec 2026 09:00 GMT — catching up the run missed on Tue 01 Dec" in first


def test_resend_from_the_command_line(harness: Harness, database_url: str) -> None:
    assert cli(database_url, "round", "open", "--as-of", "2026-12-01T09:00").returncode == 0
    first = cli(database_url, "resend", "--person", "rachel.ahmed@halton.example", "--as-of", "2026-12-03T10:00")
    assert first.returncode == 0 and "queued  prompt progress-2026-12-resend" in first.stdout, first.stdout
    again = cli(database_url, "resend", "--person", "rachel.ahmed@halton.example", "--as-of", "2026-12-03T11:00")
    assert "0 messages queued" in again.stdout
