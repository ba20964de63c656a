"""The monthly check-in's rules: who may update an action, and when a round takes answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.model import ActionStatus, Rag, Role


@dataclass(frozen=True)
class Actor:
    """Someone acting through Teams, as the plan knows them."""

    email: str
    name: str
    roles: frozenset[Role]


def may_update(actor: Actor, *, owner_email: str, delegate_emails: frozenset[str]) -> bool:
    """Only the owner, a delegate named in the plan, or an admin may update an action."""
    return actor.email == owner_email or actor.email in delegate_emails or Role.ADMIN in actor.roles


class RoundState(StrEnum):
    OPEN = "open"  # answers taken, and editable
    LATE = "late"  # past the deadline: answers still taken (reminders chase them), no Edit offered
    CLOSED = "closed"


def round_state(*, deadline: date, closed: bool, today: date) -> RoundState:
    if closed:
        return RoundState.CLOSED
    return RoundState.OPEN if today <= deadline else RoundState.LATE


def status_after(rag: Rag) -> ActionStatus:
    """An action's status follows the owner's latest RAG: Complete completes it, anything else reopens
    it or starts it, whatever it was."""
    return ActionStatus.COMPLETE if rag is Rag.COMPLETE else ActionStatus.IN_PROGRESS


def overdue_since(*, due: date | None, status: ActionStatus, today: date) -> date | None:
    """The first day an action still asked about (not complete, not withdrawn) was past its due date
    (None while it is not)."""
    if due is None or not status.asked_about or today <= due:
        return None
    return date.fromordinal(due.toordinal() + 1)


NO_CHANGE_NARRATIVE = "No change since last month."
