"""Child processes for the end-to-end tests: started in their own session, watched, always stopped.

Every wait is bounded and ends on a real event (a line the process prints, an HTTP answer); a
process that dies while we wait fails the test at once with the tail of its output.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

TAIL_LINES = 60


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it; the tiny race is acceptable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ProcessFailed(AssertionError):
    """A child process died, or did not become ready in time: the message carries its output."""


class ManagedProcess:
    """A long-running child (the bot, the Playground); its output is kept in a log file."""

    def __init__(self, name: str, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._lines: deque[str] = deque(maxlen=2000)
        self._changed = threading.Condition()
        self._log = log_path.open("w", encoding="utf-8", errors="replace")
        self._proc = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"{name}-output", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            self._log.write(line + "\n")
            self._log.flush()
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
        with self._changed:  # end of output: wake waiters so they see the exit
            self._changed.notify_all()

    def alive(self) -> bool:
        """Whether the process still runs. It is not reaped here: until ``stop`` has signalled its
        group, the group id stays ours and cannot be recycled for someone else's processes."""
        if self._proc.returncode is not None:
            return False
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to end by itself, then stop what it may have left; its exit code."""
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                raise self.failure(f"did not exit within {timeout:.0f} s")
            time.sleep(0.05)
        return self.stop()

    def tail(self, lines: int = TAIL_LINES) -> str:
        with self._changed:
            kept = list(self._lines)[-lines:]
        return "\n".join(f"    {line}" for line in kept) or "    (no output)"

    def _state(self) -> str:
        if self._proc.returncode is not None:
            return f"exited with code {self._proc.returncode}"
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return "exited"
        if info is None:
            return "running"
        if info.si_code == os.CLD_EXITED:
            return f"exited with code {info.si_status}"
        return f"killed by signal {info.si_status}"

    def failure(self, what: str) -> ProcessFailed:
        state = self._state()
        return ProcessFailed(
            f"{self.name}: {what} ({state}; pid {self.pid}; full log {self.log_path}).\n"
            f"  command: {' '.join(self.argv)}\n  last output:\n{self.tail()}"
        )

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait for a printed line matching ``pattern``; fail if the process dies or time is up."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                lines = list(self._lines)
                for line in lines[seen:]:
                    if match := regex.search(line):
                        return match
                seen = len(lines)
                if not self.alive() and not self._reader.is_alive():
                    raise self.failure(f"exited before printing /{pattern}/")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self.failure(f"did not print /{pattern}/ within {timeout:.0f} s")
                self._changed.wait(min(remaining, 0.5))

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float, interval: float = 0.1) -> None:
        """Poll a readiness check (an HTTP probe) until it passes; fail early if the child dies."""
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.alive():
                raise self.failure(f"exited before {what}")
            if time.monotonic() > deadline:
                raise self.failure(f"not {what} within {timeout:.0f} s")
            time.sleep(interval)

    def stop(self, grace: float = 10.0) -> int:
        """SIGTERM the process group, SIGKILL it after ``grace`` s or once the leader is gone (for
        children it left behind), then reap the leader; returns its exit code. Idempotent."""
        try:
            if self._proc.returncode is None:  # not stopped yet
                if self.alive():
                    os.killpg(self.pid, signal.SIGTERM)
                    deadline = time.monotonic() + grace
                    while self.alive() and time.monotonic() < deadline:
                        time.sleep(0.05)
                # The leader is a zombie or still running, so the group id is still ours.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
            return self._proc.wait(timeout=grace)
        finally:
            self._reader.join(timeout=grace)
            self._log.close()


def http_ok(url: str, expect: str | None = None) -> Callable[[], bool]:
    """A readiness probe: the URL answers 200 (and its body contains ``expect``)."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200 and (expect is None or expect in response.read().decode())
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    return probe


def run_command(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, what: str
) -> subprocess.CompletedProcess[str]:
    """Run a one-shot command (a `cqcbot` CLI step) to completion, failing with its output."""
    try:
        done = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProcessFailed(
            f"{what}: `{' '.join(argv)}` did not finish within {timeout:.0f} s.\n"
            f"  stdout:\n{_indent(exc.stdout)}\n  stderr:\n{_indent(exc.stderr)}"
        ) from None
    if done.returncode != 0:
        raise ProcessFailed(
            f"{what}: `{' '.join(argv)}` exited with code {done.returncode}.\n"
            f"  stdout:\n{_indent(done.stdout)}\n  stderr:\n{_indent(done.stderr)}"
        )
    return done


def _indent(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return "\n".join(f"    {line}" for line in (text or "").splitlines()[-TAIL_LINES:]) or "    (nothing)"
