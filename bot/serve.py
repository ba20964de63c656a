"""`cqcbot serve`: start the web server once the database is ready — one process, or N worker
processes sharing the port under gunicorn (aiohttp's gunicorn worker), one of them scheduling."""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.worker import GunicornWebWorker
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.workers.base import Worker
from prometheus_client import multiprocess
from rich.console import Console
from rich.text import Text

from bot.runtime import build_runtime
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.lifecycle import freeze_after_startup
from bot.web.metrics import MULTIPROCESS_ENV
from storage.schema_check import SchemaNotReady, ready_database

log = logging.getLogger(__name__)

LOCAL_MODE_BANNER = """\
[bold yellow]LOCAL MODE — authentication is OFF.[/bold yellow] MicrosoftAppId is empty, so the bot accepts
unauthenticated requests. Use this only with the Microsoft 365 Agents Playground or the Bot Framework
Emulator on this machine; set MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId to deploy."""


async def _check_schema(url: str) -> None:
    # Its own engine, disposed here: the server's engine must be made on the server's event loop.
    async with ready_database(url):
        pass


KEEPALIVE_SECONDS = 75  # web.run_app's default, for the one-process mode


def run(settings: Settings, console: Console, workers: int = 1) -> int:
    say = _announcer(settings, console)
    problems = settings.serving_problems(workers)
    if problems:
        say("[red]Refusing to start:[/red]", logging.ERROR)
        for problem in problems:
            say(f"  {problem}", logging.ERROR)
        return 2
    try:
        asyncio.run(_check_schema(settings.database_url))
    except SchemaNotReady as exc:
        say(f"[red]{exc}[/red]", logging.ERROR)
        return 2
    if settings.local_mode:
        say(LOCAL_MODE_BANNER, logging.WARNING)
        if not settings.report_link_secret:
            say(
                "Report links are signed with a key made for this process: links in digests queued by other "
                "commands (`cqcbot digest --post`, `cqcbot tick`) will not open. Set REPORT_LINK_SECRET to share one."
            )
    processes = "" if workers == 1 else f" by {workers} worker processes"
    say(
        f"Serving on http://{settings.host}:{settings.port}/api/messages{processes} "
        f"(database {_safe(settings.database_url)})"
    )
    say(f"The plan dashboard (the Teams tab): {_tab_url(settings)}")
    if workers == 1:
        runtime = build_runtime(settings)
        # SIGTERM and SIGINT end run_app cleanly (aiohttp's GracefulExit): exit status 0.
        # Access lines only when asked for (LOG_ACCESS=true): at INFO they would drown the events.
        access = logging.getLogger("aiohttp.access") if settings.log_access else None
        app = create_app(runtime)
        freeze_after_startup(app)
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            print=None,
            access_log=access,
            shutdown_timeout=settings.shutdown_grace_seconds,
            keepalive_timeout=KEEPALIVE_SECONDS,
        )
        return 0
    Deployment(settings, workers).run()
    return 0


def _announcer(settings: Settings, console: Console) -> Callable[..., None]:
    """What `serve` says at start: on the console, or with LOG_FORMAT=json as log records, so that
    every line of its output is one JSON object."""
    if settings.log_format != "json":
        return lambda text, level=logging.INFO: console.print(text)
    return lambda text, level=logging.INFO: log.log(level, " ".join(Text.from_markup(text).plain.split()))


class BotWorker(GunicornWebWorker):
    """aiohttp's gunicorn worker, building the bot in its own process after the fork."""

    runs_scheduler = False  # set by the arbiter before the fork (see `_one_scheduler`)

    def load_wsgi(self) -> None:
        assert isinstance(self.app, Deployment)
        self.wsgi = self.app.app_factory(self.runs_scheduler)


def _one_scheduler(server: Arbiter, worker: Worker) -> None:
    """Exactly one live worker runs the scheduler: the first, and whoever replaces it if it dies."""
    assert isinstance(worker, BotWorker)
    worker.runs_scheduler = not any(getattr(w, "runs_scheduler", False) for w in server.WORKERS.values())


def _forget_worker_metrics(_server: Arbiter, worker: Worker) -> None:
    if os.environ.get(MULTIPROCESS_ENV):
        multiprocess.mark_process_dead(worker.pid)


class SharedLogging(GunicornLogger):  # gunicorn ships no type information
    """Gunicorn's own lines ("Booting worker", "Handling signal: term") through the handler
    `configure_logging` set up, so LOG_FORMAT=json gives one JSON object per line from every process."""

    def setup(self, cfg: Any) -> None:
        self.cfg = cfg
        self._access_log_enabled = bool(cfg.accesslog)
        self.error_log.setLevel(self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO))
        # Access lines only with LOG_ACCESS=true, as in the one-process mode.
        self.access_log.setLevel(logging.INFO if cfg.accesslog else logging.WARNING)
        for logger in (self.error_log, self.access_log):
            logger.handlers[:] = []
            logger.propagate = True


class Deployment(BaseApplication):  # gunicorn ships no type information
    """N worker processes on one listening socket: gunicorn restarts a worker that dies, and on
    SIGTERM stops them all gracefully (each one's aiohttp shutdown, then exit 0)."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self._settings = settings
        self._workers = workers
        super().__init__()

    def load_config(self) -> None:
        settings = self._settings
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        options: dict[str, Any] = {
            "bind": f"{host}:{settings.port}",
            "workers": self._workers,
            "worker_class": BotWorker,
            # aiohttp's shutdown in each worker takes up to the grace twice (sends, then requests).
            "graceful_timeout": math.ceil(2 * settings.shutdown_grace_seconds) + 5,
            # Idle connections kept as long as one process keeps them (aiohttp's 75 s): gunicorn's 2 s
            # closed connections a client or proxy was about to reuse (bench.inbound --workers 2 saw
            # ServerDisconnectedError and lost submits whenever a connection idled for 2 seconds).
            "keepalive": KEEPALIVE_SECONDS,
            "loglevel": settings.log_level.lower(),
            "accesslog": "-" if settings.log_access else None,  # access lines only with LOG_ACCESS=true
            "proc_name": "cqcbot",
            "logger_class": SharedLogging,
            "control_socket_disable": True,  # nothing manages it at run time; no socket in $HOME
            "pre_fork": _one_scheduler,
            "child_exit": _forget_worker_metrics,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[[], Awaitable[web.Application]]:
        return self.app_factory(runs_scheduler=False)

    def app_factory(self, runs_scheduler: bool) -> Callable[[], Awaitable[web.Application]]:
        scheduling = self._settings.scheduler_enabled and runs_scheduler
        settings = self._settings.model_copy(update={"scheduler_enabled": scheduling})

        async def build() -> web.Application:
            log.info("worker %d: %s", os.getpid(), "with the scheduler" if scheduling else "web and delivery")
            app = create_app(build_runtime(settings))
            freeze_after_startup(app)
            return app

        return build


def _tab_url(settings: Settings) -> str:
    if settings.public_url:
        return f"{settings.public_url}/tab/plan"
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}/tab/plan"


def _safe(url: str) -> str:
    """The database URL without its password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}:***@{host}"
    return url
