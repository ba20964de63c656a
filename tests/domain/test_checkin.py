"""The check-in rules that need no database: an action's status after an owner's answer."""

from __future__ import annotations

from datetime import date

import pytest

from domain.checkin import overdue_since, status_after
from domain.model import ActionStatus, Rag


def test_complete_completes_an_action_and_any_other_rating_puts_it_in_progress() -> None:
    assert status_after(Rag.COMPLETE) is ActionStatus.COMPLETE
    for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
        assert status_after(rag) is ActionStatus.IN_PROGRESS


DUE, LATER = date(2026, 3, 31), date(2026, 5, 1)

DUE, LATER = date(2026, 3, 31), date(2026, 5, 1)


@pytest.mark.parametrize(("status", "since"), [
    (ActionStatus.NOT_STARTED, date(2026, 4, 1)),
    (ActionStatus.IN_PROGRESS, date(2026, 4, 1)),
    (ActionStatus.COMPLETE, None),
    (ActionStatus.WITHDRAWN, None),  # withdrawn actions are no longer asked about, nor overdue
])  # fmt: skip
def test_overdue_from_the_day_after_the_due_date_while_asked_about(status: ActionStatus, since: date | None) -> None:
    assert overdue_since(due=DUE, status=status, today=LATER) == since
    assert overdue_since(due=DUE, status=status, today=DUE) is None
    assert overdue_since(due=None, status=status, today=LATER) is None
