"""A fake Bot Connector (Teams) service: the v3 REST endpoints botbuilder calls, on loopback.

In tests:      async with FakeConnector() as fc: ... serviceUrl = fc.base_url
As a process:  python -m tests.fakes.connector --port 0 --enforce-limits --dump calls.json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import unquote

from aiohttp import web

from .connector_faults import (
    DelayRule,
    FailureRule,
    Match,
    RandomFailures,
    RecordedCall,
    TeamsLimiter,
    compile_match,
    error_body,
    format_retry_after,
    retry_after_header,
    take_rule,
    window_violations,
)
from .connector_state import Json, TeamsState, classify

__all__ = ["FakeConnector", "RecordedCall"]

T = TypeVar("T")


class FakeConnector(TeamsState):
    """Serves TeamsState over HTTP on loopback, records every call, and fails, delays and
    throttles on demand. State set-up and reads (add_member, add_team, sent, updates,
    activities_by_id, created_conversations, delivered_count_by_key) come from TeamsState."""

    def __init__(self, *, max_page_size: int = 500, default_page_size: int = 200) -> None:
        super().__init__(max_page_size=max_page_size, default_page_size=default_page_size)
        self.calls: list[RecordedCall] = []
        self._failures: list[FailureRule] = []
        self._delays: list[DelayRule] = []
        self._random: RandomFailures | None = None
        self._limiter = TeamsLimiter()
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1; returns the serviceUrl, with a trailing slash like Teams'."""
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{bound_port}/"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ---- set-up: roster and teams ----------------------------------------------------------

    # ---- faults ----------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        match: Match = None,
        code: str | None = None,
        message: str | None = None,
        sub_code: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        deliver: bool = False,
    ) -> None:
        """Answer the next `times` matching calls (None: all) with a Bot Framework error.
        `deliver=True` applies the call first (message delivered, response lost)."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = format_retry_after(retry_after)
        rule = FailureRule(status, times, compile_match(match), code, message, sub_code, extra, deliver)
        self._failures.append(rule)

    def delay(self, seconds: float, *, times: int | None = 1, match: Match = None) -> None:
        """Hold the response of the next `times` matching calls; the call takes effect at once."""
        self._delays.append(DelayRule(seconds, times, compile_match(match)))

    def throttle_teams_limits(self, enabled: bool = True, *, app_rate: float | None = 50.0) -> None:
        """429 + Retry-After, and a recorded violation, for any call over Teams' per-conversation
        windows or `app_rate` calls in any one second."""
        self._limiter.configure(per_thread=enabled, app_rate=app_rate if enabled else None)

    def inject_random_failures(
        self,
        rate: float = 0.1,
        statuses: Sequence[int] = (429, 500, 503),
        seed: int | None = None,
        match: Match = None,
    ) -> None:
        """Fail a `rate` share of matching calls with a random status; 429s get Retry-After: 1."""
        rng = random.Random(seed)
        self._random = RandomFailures(rate, tuple(statuses), rng, compile_match(match))

    def clear_faults(self) -> None:
        self._failures.clear()
        self._delays.clear()
        self._random = None
        self._limiter.configure(per_thread=False, app_rate=None)

    # ---- reading what happened -------------------------------------------------------------

    def calls_matching(self, match: Match = None) -> list[RecordedCall]:
        matches = compile_match(match)
        return [c for c in self.calls if matches(c)]

    def window_violations(self) -> list[str]:
        """Every Teams window a call overran: those the enforced limits refused (429), and any
        per-conversation send window overrun by accepted calls (empty when fine)."""
        return self._limiter.violations + window_violations(self.calls)

    def describe_calls(self, last: int = 40) -> str:
        lines = [f"{len(self.calls)} call(s) recorded" + (f", last {last}:" if self.calls else "")]
        t0 = self.calls[0].time if self.calls else 0.0
        for c in self.calls[-last:]:
            lines.append(
                f"  #{c.seq} +{c.time - t0:.3f}s {c.method} {c.kind} conv={c.conversation_id} "
                f"act={c.activity_id} -> {c.status}{' (' + c.fault + ')' if c.fault else ''}"
            )
        return "\n".join(lines)

    async def wait_for(
        self,
        predicate: Callable[[FakeConnector], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the fake's documented API
        *,
        what: str = "",
    ) -> T:
        """Wait (woken on every recorded call, no polling) until predicate(self) is truthy;
        return its value. On timeout raise AssertionError listing the recorded calls."""
        result: list[T] = []

        def check() -> bool:
            result[:] = [predicate(self)]
            return bool(result[0])

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(check)
        except TimeoutError:
            label = f" for {what}" if what else ""
            raise AssertionError(
                f"FakeConnector.wait_for{label} timed out after {timeout}s\n{self.describe_calls()}"
            ) from None
        return result[0]

    def to_json(self) -> Json:
        return {
            "base_url": self.base_url,
            "calls": [asdict(c) for c in self.calls],
            "activities_by_id": self.activities_by_id,
            "created_conversations": self.created_conversations,
            "window_violations": self.window_violations(),
            "summary": {
                "calls": len(self.calls),
                "delivered": len(self._delivered),
                "by_kind": Counter(c.kind for c in self.calls),
                "by_status": Counter(str(c.status) for c in self.calls),
            },
        }

    # ---- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_segs = [s for s in request.rel_url.raw_path.split("/") if s]
        if "v3" in raw_segs:  # tolerate a serviceUrl path prefix such as /amer/
            raw_segs = raw_segs[raw_segs.index("v3") :]
        segs = [unquote(s) for s in raw_segs]
        kind, cid, aid, member_id = classify(request.method, segs)
        text = await request.text()
        call = RecordedCall(
            seq=next(self._seq),
            method=request.method,
            path="/" + "/".join(segs),
            kind=kind,
            conversation_id=cid,
            activity_id=aid,
            json=None,
            time=time.monotonic(),
            headers=dict(request.headers),
            query=dict(request.query),
        )
        try:
            call.json = json.loads(text) if text.strip() else None
        except json.JSONDecodeError:
            call.json = text  # writes then get 400 BadSyntax
        self.calls.append(call)
        await self._notify()
        status, body, headers = self._decide(call, member_id)
        delay = take_rule(self._delays, call)
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        call.status, call.response = status, body
        await self._notify()
        if body is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _decide(self, call: RecordedCall, member_id: str | None) -> tuple[int, Any, dict[str, str]]:
        if call.kind in {"send", "reply", "create_conversation"}:
            call.thread_key = self.thread_of(call)
        rule = take_rule(self._failures, call)
        if rule is not None:
            if rule.deliver:
                self.apply(call, member_id)
            call.fault = "injected"
            return (
                rule.status,
                error_body(rule.status, rule.code, rule.message, rule.sub_code),
                rule.headers,
            )
        # Counted against Teams' windows on arrival, whatever the answer is going to be.
        wait = self._limiter.acquire(call)
        if wait is not None:
            call.fault = "throttled"
            return 429, error_body(429), {"Retry-After": retry_after_header(wait)}
        random_status = self._random.pick(call) if self._random else None
        if random_status is not None and self._random is not None:
            call.fault = "random"
            headers = {"Retry-After": format_retry_after(self._random.retry_after)}
            return random_status, error_body(random_status), headers if random_status == 429 else {}
        status, body = self.apply(call, member_id)
        return status, body, {}


# ---- separate process for benchmarks ---------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.connector", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--enforce-limits", action="store_true", help="Teams per-conversation limits")
    parser.add_argument("--app-rate", type=float, default=50.0, help="global calls/s (0: off)")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--failure-statuses", default="429,500,503")
    parser.add_argument("--failure-match", default=None, help='e.g. "send|reply|create_conversation"')
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--page-size", type=int, default=500, help="max members per page")
    parser.add_argument("--dump", default=None, help="write records as JSON here on SIGTERM/SIGINT")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeConnector(max_page_size=args.page_size)
    if args.enforce_limits:
        fake.throttle_teams_limits(app_rate=args.app_rate)
    if args.failure_rate > 0:
        statuses = tuple(int(s) for s in args.failure_statuses.split(","))
        fake.inject_random_failures(args.failure_rate, statuses, args.seed, args.failure_match)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    url = await fake.start(args.port)
    sys.stdout.write(f"LISTENING {url}\n")
    sys.stdout.flush()
    await stop.wait()
    await fake.stop()
    if args.dump:
        dump = json.dumps(fake.to_json())
        await asyncio.to_thread(Path(args.dump).write_text, dump, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
