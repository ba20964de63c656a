"""The check-in rules that need no database: an action's status after an owner's answer."""

from __future__ import annotations

from domain.checkin import status_after
from domain.model import ActionStatus, Rag


def test_complete_completes_an_action_and_any_other_rating_puts_it_in_progress() -> None:
    assert status_after(Rag.COMPLETE) is ActionStatus.COMPLETE
    for rag in (Rag.GREEN, Rag.AMBER, Rag.RED):
        assert status_after(rag) is ActionStatus.IN_PROGRESS
