"""The real APScheduler: code-defined jobs on working-day mornings, local time, one catch-up on start."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.planning import RunReport
from scheduler.jobs import JOBS
from scheduler.setup import MISFIRE_GRACE_SECONDS, build_scheduler

LONDON = ZoneInfo("Europe/London")


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[object] = []
        self.fail = fail
        self.done = asyncio.Event()

    async def __call__(self, call: object, now: datetime) -> RunReport:
        self.calls.append(call)
        if len(self.calls) == len(JOBS):
            self.done.set()
        if self.fail:
            raise RuntimeError("database unavailable")
        return RunReport()


def clock() -> datetime:
    return datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected_utc"),
    [
        (datetime(2026, 11, 23, 10, tzinfo=UTC), datetime(2026, 11, 24, 9, tzinfo=UTC)),  # GMT
        (datetime(2026, 10, 23, 9, tzinfo=UTC), datetime(2026, 10, 26, 9, tzinfo=UTC)),  # Fri BST → Mon GMT
        (datetime(2026, 3, 27, 10, tzinfo=UTC), datetime(2026, 3, 30, 8, tzinfo=UTC)),  # Fri GMT → Mon BST
    ],
)
def test_jobs_fire_on_weekday_mornings_in_local_time(after: datetime, expected_utc: datetime) -> None:
    scheduler = build_scheduler(Recorder(), timezone="Europe/London", at="09:00", clock=clock)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {spec.id for spec in JOBS} | {"catch-up"}
    for spec in JOBS:
        next_fire = jobs[spec.id].trigger.get_next_fire_time(None, after.astimezone(LONDON))
        assert next_fire == expected_utc
        assert next_fire.astimezone(LONDON).hour == 9


async def test_starting_runs_one_catch_up_pass_and_a_failing_job_is_contained() -> None:
    recorder = Recorder(fail=True)
    scheduler = build_scheduler(recorder, timezone="Europe/London", at="09:00", clock=clock)
    scheduler.start()
    try:
        await asyncio.wait_for(recorder.done.wait(), timeout=10)
        assert recorder.calls == [spec.call for spec in JOBS]  # each job once, in order, despite failures
        assert scheduler.running
        assert scheduler.get_job("catch-up") is None  # a one-off: gone after it ran
        for job in scheduler.get_jobs():  # late runs coalesce into one within the grace period
            assert job.coalesce is True
            assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
            assert job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("fail", [False, True])
async def test_every_job_run_is_reported_with_its_result_and_start(fail: bool) -> None:
    runs: list[tuple[str, bool, datetime]] = []
    scheduler = build_scheduler(
        Recorder(fail=fail), timezone="Europe/London", at="09:00", clock=clock, on_job=lambda *run: runs.append(run)
    )
    for spec in JOBS:  # each job's function, called as the scheduler calls it
        job = scheduler.get_job(spec.id)
        assert job is not None
        await job.func()
    assert runs == [(spec.id, not fail, clock()) for spec in JOBS]
