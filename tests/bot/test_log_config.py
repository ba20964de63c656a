"""Quiet, useful logs: library chatter below INFO, access lines on request, JSON lines for Azure Monitor."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.log_config import configure_logging
from storage.engine import new_engine
from storage.migrate import current_revision, upgrade
from tests.conftest import test_settings as settings_for

URL = "sqlite+aiosqlite:///unused.db"


async def _revision(url: str) -> str | None:
    """What `serve` does at start: read the schema's revision."""
    engine = new_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def test_json_lines_carry_the_event_and_its_outbox_key() -> None:
    stream = io.StringIO()
    configure_logging(settings_for(URL, LOG_FORMAT="json"), stream)
    logging.getLogger("bot.delivery.outcomes").warning(
        "send failed: %s", "HTTP 400", extra={"outbox_key": "prompt/progress-2026-12/person-3/WWP-01"}
    )
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["event"] == "send failed: HTTP 400" and record["level"] == "WARNING"
    assert record["outbox_key"] == "prompt/progress-2026-12/person-3/WWP-01"
    assert record["time"].endswith("+00:00") and "activity_id" not in record


def test_library_chatter_stays_out_of_info() -> None:
    stream = io.StringIO()
    configure_logging(settings_for(URL), stream)
    scheduler = AsyncIOScheduler()
    scheduler.add_job(print, "interval", hours=1)  # "Adding job tentatively" at INFO
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /api/messages" 200')
    logging.getLogger("urllib3.connectionpool").warning("Retrying (Retry(total=2)) after connection broken")
    logging.getLogger("storage.late_joiners").info("someone can be reached again")
    assert stream.getvalue().splitlines()[-1].endswith("someone can be reached again")
    assert len(stream.getvalue().splitlines()) == 1


def test_the_schema_check_at_start_says_nothing_but_upgrades_say_what_they_ran(tmp_path: Path) -> None:
    stream = io.StringIO()
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    configure_logging(settings_for(url), stream)
    upgrade(url, "0001")
    assert asyncio.run(_revision(url)) == "0001"
    upgrade(url)
    lines = stream.getvalue().splitlines()
    assert lines and all("Running upgrade" in line for line in lines), lines
    assert any("-> 0001" in line for line in lines)


def test_access_lines_when_asked_for() -> None:
    stream = io.StringIO()
    configure_logging(settings_for(URL, LOG_ACCESS=True), stream)
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /api/messages" 200')
    assert "POST /api/messages" in stream.getvalue()


def test_a_bad_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        settings_for(URL, LOG_FORMAT="xml")
