"""Quiet, useful logs: library chatter below INFO, access lines on request, JSON lines for Azure Monitor."""

from __future__ import annotations

import io
import json
import logging

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.log_config import configure_logging
from tests.conftest import test_settings as settings_for

URL = "sqlite+aiosqlite:///unused.db"


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


def test_access_lines_when_asked_for() -> None:
    stream = io.StringIO()
    configure_logging(settings_for(URL, LOG_ACCESS=True), stream)
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /api/messages" 200')
    assert "POST /api/messages" in stream.getvalue()


def test_a_bad_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        settings_for(URL, LOG_FORMAT="xml")
