"""/metrics in Prometheus' text format.

Two parts: what this process did (activities, invoke latency, sends, 429 pauses, scheduler jobs),
counted as it happens — across every worker process through prometheus-client's multiprocess
files when `PROMETHEUS_MULTIPROC_DIR` is set (`cqcbot serve --workers N` sets it) — and the
outbox as the database sees it at the moment of the scrape, the same whichever worker answers.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable
from datetime import datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.context_managers import Timer
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.runtime import Runtime
from domain.outbox import DeliveryStatus
from storage.engine import Sessions
from storage.outbox import oldest_due, status_counts

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Activity types Teams sends; anything else is counted as "other", so a stranger cannot mint labels.
KNOWN_TYPES = frozenset(
    {"message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction", "event", "typing"}
)
INVOKE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The counters the app keeps, each in this instance's own registry (no module globals)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self._activities = Counter(
            "cqcbot_activities_received",
            "Bot Framework activities received at /api/messages, by type and HTTP status answered",
            ["type", "result"],
            registry=registry,
        )
        self._invoke_seconds = Histogram(
            "cqcbot_invoke_duration_seconds",
            "Time to answer an invoke activity (a card's Submit or Refresh)",
            buckets=INVOKE_BUCKETS,
            registry=registry,
        )
        self._sends = Counter(
            "cqcbot_sends",
            "Outbox messages settled by the delivery worker, by outcome and Teams' status code",
            ["outcome", "code"],
            registry=registry,
        )
        self._pauses = Counter(
            "cqcbot_delivery_pauses", "Pauses of all sending after Teams answered 429", registry=registry
        )
        self._paused_seconds = Counter(
            "cqcbot_delivery_paused_seconds", "Seconds of those pauses (Retry-After)", registry=registry
        )
        self._job_runs = Counter(
            "cqcbot_scheduler_job_runs", "Scheduler job runs, by job and result", ["job", "result"], registry=registry
        )
        self._job_success = Gauge(
            "cqcbot_scheduler_job_last_success_timestamp_seconds",
            "When each scheduler job last ran without failing (Unix time)",
            ["job"],
            registry=registry,
            multiprocess_mode="max",
        )

    # ---- what the web app reports --------------------------------------------------------

    def activity(self, activity_type: str | None, status: int) -> None:
        kind = activity_type if activity_type in KNOWN_TYPES else "other"
        self._activities.labels(type=kind, result=str(status)).inc()

    def invoke_timer(self) -> Timer:
        return self._invoke_seconds.time()

    # ---- what the delivery worker reports (bot.delivery.outcomes.DeliveryEvents) -----------

    def settled(self, status: DeliveryStatus, code: str) -> None:
        self._sends.labels(outcome=status.value, code=code).inc()

    def paused(self, seconds: float) -> None:
        self._pauses.inc()
        self._paused_seconds.inc(seconds)

    # ---- what the scheduler reports -------------------------------------------------------

    def job_ran(self, job: str, ok: bool, at: datetime) -> None:
        self._job_runs.labels(job=job, result="ok" if ok else "failed").inc()
        if ok:
            self._job_success.labels(job=job).set(at.timestamp())

    # ---- the scrape -----------------------------------------------------------------------

    async def exposition(self, sessions: Sessions, now: datetime) -> bytes:
        async with sessions() as session:
            counts = await status_counts(session)
            due_since = await oldest_due(session, now=now)
        snapshot = CollectorRegistry()
        snapshot.register(_OutboxSnapshot(counts, due_since, now))
        return generate_latest(self._process_registry()) + generate_latest(snapshot)

    def _process_registry(self) -> CollectorRegistry:
        directory = os.environ.get(MULTIPROCESS_ENV)
        if not directory:
            return self.registry
        every_worker = CollectorRegistry()
        MultiProcessCollector(every_worker, path=directory)
        return every_worker


class _OutboxSnapshot(Collector):
    def __init__(self, counts: dict[DeliveryStatus, int], due_since: datetime | None, now: datetime) -> None:
        self._counts = counts
        self._due_since = due_since
        self._now = now

    def collect(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily("cqcbot_outbox_messages", "Outbox messages by delivery state", labels=["state"])
        for status, count in sorted(self._counts.items()):
            depth.add_metric([status.value], count)
        age = 0.0 if self._due_since is None else max(0.0, (self._now - self._due_since).total_seconds())
        oldest = GaugeMetricFamily(
            "cqcbot_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due message has waited (0 when none is waiting)",
            value=age,
        )
        return [depth, oldest]


def may_scrape(remote: str | None, authorization: str, token: str) -> bool:
    """With METRICS_TOKEN set, only that bearer token; without it, only a loopback peer."""
    if token:
        return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:  # a Unix socket's peer, say
        return False


METRICS = web.AppKey("metrics", Metrics)


def add_metrics_route(app: web.Application, metrics: Metrics, runtime: Runtime) -> None:
    token = runtime.settings.metrics_token

    async def scrape(request: web.Request) -> web.Response:
        if not may_scrape(request.remote, request.headers.get("Authorization", ""), token):
            if token:
                return web.json_response(
                    {"error": "send the METRICS_TOKEN as a bearer token"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return web.json_response(
                {"error": "served on loopback only; set METRICS_TOKEN to scrape from elsewhere"}, status=403
            )
        body = await metrics.exposition(runtime.sessions, runtime.clock())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app[METRICS] = metrics
    app.router.add_get("/metrics", scrape)
