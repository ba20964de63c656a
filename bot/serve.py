"""`cqcbot serve`: start the web server once the database is ready."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from rich.console import Console

from bot.runtime import build_runtime
from bot.settings import Settings
from bot.web.app import create_app
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


def run(settings: Settings, console: Console) -> int:
    try:
        asyncio.run(_check_schema(settings.database_url))
    except SchemaNotReady as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    runtime = build_runtime(settings)
    if settings.local_mode:
        console.print(LOCAL_MODE_BANNER)
    console.print(
        f"Serving on http://{settings.host}:{settings.port}/api/messages (database {_safe(settings.database_url)})"
    )
    # Access lines only when asked for (LOG_ACCESS=true): at INFO they would drown the events.
    access = logging.getLogger("aiohttp.access") if settings.log_access else None
    web.run_app(create_app(runtime), host=settings.host, port=settings.port, print=None, access_log=access)
    return 0


def _safe(url: str) -> str:
    """The database URL without its password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}:***@{host}"
    return url
