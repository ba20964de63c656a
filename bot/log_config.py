"""Logging for `cqcbot serve`: one line per meaningful event at INFO, library chatter kept below it,
and, with LOG_FORMAT=json, one JSON object per line for Azure Monitor (Container Apps and App
Service collect standard output as is)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from bot.settings import Settings
from bot.teams.turn_log import TurnFields

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What a log search filters on: `activity_id`, `conversation`, `outbox_key`. Code passes them as
# `extra={"outbox_key": ...}`, and lines logged while an activity is answered get its `activity_id` and
# `conversation` (bot.teams.turn_log); the JSON formatter copies any such non-reserved record attribute,
# so absent ones are left out.
# Libraries whose INFO (or WARNING) lines say nothing an operator acts on.
QUIET = {
    "apscheduler": logging.WARNING,  # "Adding job tentatively", "Added job", one per job at start
    "aiohttp.access": logging.WARNING,  # one line per request, unless LOG_ACCESS=true
    "urllib3": logging.ERROR,  # a retry warning per attempt for one unreachable address
    "msrest": logging.ERROR,  # a warning per channelData field its models don't name
    "msal": logging.WARNING,
    "botbuilder": logging.WARNING,
    "botframework": logging.WARNING,
    "asyncio": logging.WARNING,
}


class _AlembicSetup(logging.Filter):
    """Drop the two lines Alembic logs each time it looks at a database ("Context impl SQLiteImpl.",
    "Will assume non-transactional DDL."): `serve` checks the schema at every start. Its "Running
    upgrade A -> B" lines stay: they say what `db upgrade` changed."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("alembic") and str(record.msg).startswith(("Context impl", "Will assume")))


class _ContextJson(JsonFormatter):
    def add_fields(
        self, log_record: dict[str, object], record: logging.LogRecord, message_dict: dict[str, object]
    ) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record.pop("message", None)  # the formatter's default field; ours is "event"
        log_record["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        log_record["level"] = record.levelname
        log_record["event"] = record.getMessage()
        log_record["logger"] = record.name


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.log_format == "json":
        # Only our fields: the record's own attributes (and its "message", written as "event") stay out.
        formatter: logging.Formatter = _ContextJson(reserved_attrs=[*RESERVED_ATTRS, "message"])
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(TurnFields())
    handler.addFilter(_AlembicSetup())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    if settings.log_access:
        logging.getLogger("aiohttp.access").setLevel(logging.INFO)
