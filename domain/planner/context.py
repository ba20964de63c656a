"""What the planner's steps share: the store and calendar they run against, and the reads and sends
more than one step needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import WorkingCalendar
from domain.model import Plan, Role
from domain.outbox import MessageKind
from domain.planning import Audience, Message, PlanningStore, Prompt, Round, RunReport
from domain.schedule import MonthTimetable, add_months, month_timetable

# The kinds of round, as the store names them.
PROGRESS, FIGURES = "progress", "figures"


@dataclass(frozen=True)
class PlannerContext:
    store: PlanningStore
    calendar: WorkingCalendar

    async def timetable(self, now: datetime, month: str | None = None) -> tuple[Plan, MonthTimetable]:
        plan = await self.store.plan()
        year, number = (int(month[:4]), int(month[5:])) if month else self.calendar.month_of(now)
        return plan, month_timetable(year, number, plan.schedule, self.calendar)

    async def recent_tables(self, now: datetime) -> list[MonthTimetable]:
        """This month's timetable and last month's (its late steps can run into this month)."""
        plan = await self.store.plan()
        year, month = self.calendar.month_of(now)
        return [month_timetable(*m, plan.schedule, self.calendar) for m in (add_months(year, month, -1), (year, month))]

    async def quiet(self, report: RunReport, now: datetime) -> bool:
        """Nothing goes out on weekends, bank holidays or outside the working day, even after downtime:
        what is due waits for the next working morning."""
        plan = await self.store.plan()
        local = now.astimezone(self.calendar.zone)
        opens = plan.schedule.cycle_open_time.zfill(5)
        if not self.calendar.is_working_day(local.date()):
            report.skipped.append(f"{local:%a %d %b} is not a working day")
            return True
        if not opens <= f"{local:%H:%M}" < plan.schedule.send_window_end.zfill(5):
            report.skipped.append(f"{local:%H:%M} is outside {opens}–{plan.schedule.send_window_end}")
            return True
        return False

    async def enqueue(self, report: RunReport, message: Message, now: datetime) -> None:
        if await self.store.enqueue(message, now):
            report.enqueued.append(f"{message.kind} {message.scope} {message.email or 'channel'} {message.step}")
        else:
            report.already += 1

    async def chairs(self) -> list[str]:
        plan = await self.store.plan()
        return [p.email for p in plan.people if Role.CHAIR in p.roles]

    # The round's own reads and prompts, here because the reminders use them too.

    async def outstanding(self, round_: Round) -> dict[str, tuple[str, ...]]:
        answered = await self.store.answered(round_)
        result = {}
        for email, refs in (await self.store.requested(round_)).items():
            missing = tuple(r for r in refs if r not in answered)
            if missing:
                result[email] = missing
        return result

    async def prompt_outstanding(self, report: RunReport, round_: Round, now: datetime) -> None:
        people = await self.store.people()
        answered = await self.store.answered(round_)
        today = self.calendar.local_date(now)
        for email, refs in (await self.store.requested(round_)).items():
            person = people.get(email)
            if person is None or person.away_on(today):
                report.skipped.append(f"prompts to {email}: away until {person.away_until if person else '?'}")
                continue
            for ref in refs:
                if ref not in answered:
                    await self.enqueue(
                        report,
                        Message(
                            MessageKind.PROMPT,
                            f"progress-{round_.month}",
                            ref,
                            Audience.PERSON,
                            Prompt(round_.id, ref),
                            email=email,
                        ),
                        now,
                    )
