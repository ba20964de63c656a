"""Running the delivery worker: the continuous loop inside `cqcbot serve` and `cqcbot deliver`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from enum import StrEnum

from bot.delivery.worker import DeliveryWorker
from storage.outbox import OutboxItem

log = logging.getLogger(__name__)

RECOVERY_INTERVAL = 30.0  # seconds between looks for claims abandoned by a dead worker


class Until(StrEnum):
    STOPPED = "stopped"  # run until told to stop (the server)
    IDLE = "idle"  # stop when nothing is due now (`cqcbot deliver`)
    EMPTY = "empty"  # stop when nothing is left to send, waiting out retries (`--until-empty`)


async def run_worker(
    worker: DeliveryWorker, stop: asyncio.Event | None = None, *, until: Until = Until.STOPPED
) -> None:
    """Keep up to a batch of rows in hand, claiming more as sends finish, until `until` holds.

    A failing step (the database restarting, say) is logged and tried again: a worker that
    died quietly would leave messages "queued" with nobody sending them.
    """
    stop = stop or asyncio.Event()
    worker.stopping = False
    active: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    next_recovery = 0.0
    try:
        while not stop.is_set():
            try:
                if loop.time() >= next_recovery:
                    await worker.recover()
                    next_recovery = loop.time() + RECOVERY_INTERVAL
                wait = await _step(worker, active, stop, until)
            except Exception:
                log.exception("the delivery loop failed; trying again shortly")
                wait = worker.config.idle_poll
            if wait is None:
                return
            if wait > 0:
                await _wait(stop, wait)
    finally:
        await _finish(worker, active)


async def _step(
    worker: DeliveryWorker, active: set[asyncio.Task[None]], stop: asyncio.Event, until: Until
) -> float | None:
    """Claim what fits, wait for a send to finish or for the next row to fall due. Returns the
    seconds to wait before the next step, or None when the run is over."""
    batch = worker.config.batch
    claimed: list[OutboxItem] = []
    paused = await worker.refresh_shared_state()  # also while busy: instances come and go, pauses
    if len(active) <= batch // 2 and paused <= 0:
        claimed, found = await worker.claim(batch - len(active))
        for item in claimed:
            task = asyncio.create_task(worker.deliver(item, found))
            active.add(task)
            task.add_done_callback(active.discard)
    if active:
        await _first_done(active, stop)
        return 0.0
    if claimed:
        return 0.0
    await worker.recover()
    wait = await _seconds_to_next(worker, until)
    return None if wait is None else min(max(wait, 0.05), worker.config.idle_poll)


async def _seconds_to_next(worker: DeliveryWorker, until: Until) -> float | None:
    """Seconds until something may be due; None when `until` says the run is over."""
    wake = await worker.next_wake_in()
    if until is not Until.STOPPED and wake is None:
        return None
    if until is Until.IDLE and wake:
        return None
    return max(worker.paused_for(), worker.config.idle_poll if wake is None else wake)


async def _first_done(active: set[asyncio.Task[None]], stop: asyncio.Event) -> None:
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({*active, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _finish(worker: DeliveryWorker, active: set[asyncio.Task[None]]) -> None:
    """Let calls already made to Teams finish and be recorded, within the shutdown grace; rows
    not yet sent go back at once (each task sees `stopping`), and so do any claims left over."""
    worker.stopping = True
    if active:
        _, late = await asyncio.wait(set(active), timeout=worker.config.shutdown_grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)
    try:
        await worker.release()
    except Exception:  # the database has gone: the leases run out and recovery takes them
        log.exception("could not hand back delivery worker %s's claims", worker.name)
    await worker.leave()
