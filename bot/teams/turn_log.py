"""Which activity a log line belongs to: its `activity_id` and `conversation`, for a log search.

While the bot answers an activity (bot.teams.answers), every line logged — here, in the services, in
storage (a person linked, unlinked or reachable again) — carries them: `TurnFields` stamps each record
from a context variable, so code below the Teams edge needs no activity to pass along. The edges' error
handlers, which run after the answer has unwound, pass `fields_of(activity)` as `extra` themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from bot.teams.addresses import ActivityLike

_TURN: ContextVar[Mapping[str, str] | None] = ContextVar("turn_log_fields", default=None)


def fields_of(activity: ActivityLike) -> dict[str, str]:
    """The activity's id and conversation id, those it has (a malformed activity may lack either)."""
    fields = {}
    if activity.id:
        fields["activity_id"] = activity.id
    if activity.conversation is not None and activity.conversation.id:
        fields["conversation"] = activity.conversation.id
    return fields


@contextmanager
def turn_logging(activity: ActivityLike) -> Iterator[None]:
    token = _TURN.set(fields_of(activity))
    try:
        yield
    finally:
        _TURN.reset(token)


class TurnFields(logging.Filter):
    """Adds the current turn's fields to a record that does not name them already."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in (_TURN.get() or {}).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True
