"""The planner's store in memory (domain.planning.PlanningStore), for driving the planner fast.

It keeps what storage/planning_store.py keeps, as plain data: the plan, its rounds, the round's
requests, the updates and figures people sent, and the outbox as the messages enqueued under
their idempotency keys. It follows the SQL store's rules (idempotent rounds and requests, each key
enqueued once, "answered" counting ad hoc updates since the round opened); what it does not do is
render messages, so tests read the planner's Message content rather than card JSON.

People get ids 1, 2, … in plan order and channels 1, 2, … in the order first installed; the
tests' mutators (answer, record_figure, set_away, …) stand in for what people do in Teams.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from domain.model import Plan
from domain.outbox import Recipient, idempotency_key
from domain.planning import Audience, Message, PersonAvailability, Round


@dataclass(frozen=True)
class Enqueued:
    """One message in the outbox: what the planner sent, to whom, and when it was queued."""

    key: str
    message: Message
    recipient: Recipient
    at: datetime

    @property
    def to(self) -> str:
        """The recipient as the planner names it: an email, or "channel"."""
        return self.message.email or "channel"


@dataclass(frozen=True)
class _Update:
    ref: str
    round_id: int | None  # None: an ad hoc update, not sent on a round's card
    source: str  # teams | plan
    submitted_at: datetime


class InMemoryPlanningStore:
    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._person_ids = {p.email: n for n, p in enumerate(plan.people, start=1)}
        self._owners = {a.ref: a.owner for a in plan.actions}
        self._away: dict[str, date | None] = {}
        self._unreachable: set[str] = set()
        self._rounds: dict[tuple[str, str], Round] = {}
        self._opened_at: dict[int, datetime] = {}
        self._requests: dict[int, dict[str, str]] = {}  # round id → action ref → who was asked
        self._updates: list[_Update] = []
        self._figures: dict[str, dict[str, float]] = {}  # period → metric id → value
        self._channels: dict[str, int] = {}  # Teams channel id → its conversation's id
        self._installs: list[str] = []  # Teams channel ids, the latest installed last
        self.outbox: dict[str, Enqueued] = {}

    # ---- what people do, for the tests ---------------------------------------------------------

    def answer(self, ref: str, at: datetime, *, round_id: int | None = None, source: str = "teams") -> None:
        self._updates.append(_Update(ref, round_id, source, at))

    def record_figure(self, metric_id: str, period: str, value: float) -> None:
        self._figures.setdefault(period, {})[metric_id] = value

    def set_away(self, email: str, until: date | None) -> None:
        self._away[email] = until

    def mark_unreachable(self, email: str) -> None:
        self._unreachable.add(email)

    def install_channel(self, teams_channel_id: str) -> None:
        self._channels.setdefault(teams_channel_id, len(self._channels) + 1)
        self._installs = [c for c in self._installs if c != teams_channel_id] + [teams_channel_id]

    def person_id(self, email: str) -> int:
        return self._person_ids[email]

    @property
    def messages(self) -> list[Enqueued]:
        return list(self.outbox.values())

    # ---- domain.planning.PlanningStore ---------------------------------------------------------

    async def plan(self) -> Plan:
        return self._plan

    async def find_round(self, kind: str, month: str) -> Round | None:
        return self._rounds.get((kind, month))

    async def open_round(self, kind: str, month: str, deadline: date, now: datetime) -> tuple[Round, bool]:
        found = self._rounds.get((kind, month))
        if found is not None:
            return found, False
        opened = Round(len(self._rounds) + 1, kind, month, deadline, closed=False)
        self._rounds[kind, month] = opened
        self._opened_at[opened.id] = now
        return opened, True

    async def close_rounds_before(self, kind: str, month: str, now: datetime) -> None:
        for (round_kind, round_month), found in self._rounds.items():
            if round_kind == kind and round_month < month and not found.closed:
                self._rounds[round_kind, round_month] = replace(found, closed=True)

    async def request_actions(self, round_: Round, refs_by_owner: dict[str, list[str]], now: datetime) -> None:
        asked = self._requests.setdefault(round_.id, {})
        for refs in refs_by_owner.values():
            for ref in refs:
                if ref in self._owners and ref not in asked:
                    asked[ref] = self._owners[ref]  # the action's owner, as the SQL store reads it

    async def requested(self, round_: Round) -> dict[str, list[str]]:
        asked = self._requests.get(round_.id, {})
        result: dict[str, list[str]] = {}
        for action in self._plan.actions:  # in plan order
            if action.ref in asked:
                result.setdefault(asked[action.ref], []).append(action.ref)
        return result

    async def count_updates_since(self, round_: Round, since: datetime) -> None:
        self._updates = [
            replace(u, round_id=round_.id)
            if u.round_id is None and u.source == "teams" and u.submitted_at >= since
            else u
            for u in self._updates
        ]

    async def answered(self, round_: Round) -> set[str]:
        opened_at = self._opened_at[round_.id]
        return {
            u.ref
            for u in self._updates
            if u.ref in self._owners
            and (u.round_id == round_.id or (u.source == "teams" and u.submitted_at >= opened_at))
        }

    async def people(self) -> dict[str, PersonAvailability]:
        return {
            p.email: PersonAvailability(p.email, p.name, self._away.get(p.email), p.email in self._unreachable)
            for p in self._plan.people
        }

    async def clear_unreachable(self, email: str, now: datetime) -> None:
        self._unreachable.discard(email)

    async def figures_submitted(self, month: str) -> set[str]:
        return set(self._figures.get(month, {}))

    async def readings(self, month: str) -> dict[str, float]:
        return dict(self._figures.get(month, {}))

    async def enqueue(self, message: Message, now: datetime) -> bool:
        recipient = self._recipient(message)
        if recipient is None:
            return False
        key = idempotency_key(message.kind, scope=message.scope, recipient=recipient, step=message.step)
        if key in self.outbox:
            return False
        self.outbox[key] = Enqueued(key, message, recipient, now)
        return True

    def _recipient(self, message: Message) -> Recipient | None:
        if message.audience is Audience.PERSON:
            person_id = self._person_ids.get(message.email or "")
            return Recipient.person(person_id) if person_id else None
        # The plan's group channel when it names one, else the latest installed (storage.recipients).
        wanted = self._plan.group_channel
        installed = [c for c in self._installs if not wanted or c == wanted]
        return Recipient.conversation(self._channels[installed[-1]]) if installed else None
