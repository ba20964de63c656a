"""What `serve` adds to the app at start-up, beyond the routes."""

from __future__ import annotations

import gc

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.web.lifecycle import freeze_after_startup


async def test_start_up_objects_are_frozen_once_the_app_has_started() -> None:
    app = web.Application()
    started: list[int] = []

    async def earlier_hook(_app: web.Application) -> None:
        started.append(gc.get_freeze_count())

    app.on_startup.append(earlier_hook)
    freeze_after_startup(app)
    server = TestServer(app, host="127.0.0.1")
    gc.unfreeze()
    try:
        await server.start_server()
        # Frozen after the other hooks ran, so what they built is frozen too.
        assert started == [0]
        assert gc.get_freeze_count() > 0
    finally:
        await server.close()
        gc.unfreeze()  # this process runs many apps: let the garbage collector see them again
