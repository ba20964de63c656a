"""Helpers for tests that run the bot as a real process: a free loopback port, its log, its health."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from aiohttp import ClientError, ClientSession


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read(log: Path) -> str:
    return log.read_text()


async def wait_healthy(url: str, service: asyncio.subprocess.Process, log: Path, *, seconds: float = 60) -> None:
    async with ClientSession() as http:
        for _ in range(int(seconds / 0.2)):
            if service.returncode is not None:
                raise AssertionError(f"cqcbot serve exited {service.returncode}:\n{read(log)}")
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"cqcbot serve did not become healthy:\n{read(log)}")
