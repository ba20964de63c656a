"""The command line's error boundary: an expected failure is one clear message, never a traceback.

An unexpected one prints one line saying where its full traceback was written, and ``--debug`` shows
it on the terminal instead.
"""

from __future__ import annotations

import os
import tempfile
import threading
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bot.settings import Settings
from storage.database_errors import database_failure
from storage.plan_file import PlanFileInvalid

DEBUG_FLAG = "--debug"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./cqcbot.db"


def error_log_path() -> Path:
    """Where unexpected errors' tracebacks go: the user's cache folder, else the temporary one."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cqcbot" / "errors.log"


def run_guarded(command: Callable[[list[str]], object], args: Sequence[str], err: Console) -> int:
    """Run the click/typer ``command`` on ``args`` and turn whatever escapes it into an exit code."""
    debug = DEBUG_FLAG in args
    # `--debug` belongs to the root command; accept it anywhere on the line, as people type it.
    ordered = [DEBUG_FLAG, *(a for a in args if a != DEBUG_FLAG)] if debug else list(args)
    if not debug:
        # A driver's worker thread can fail after its command has already reported why (aiosqlite, when
        # the file cannot be opened), even as the process exits: for the rest of the process, such a
        # traceback goes to the log, not over the message.
        threading.excepthook = lambda hook: _log_thread_failure(hook, ordered)
    try:
        command(ordered)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return 130
    except PlanFileInvalid as exc:
        for error in exc.errors:
            err.print(str(error), markup=False, highlight=False)
        return 1
    except Exception as exc:
        return _unexpected_or_database(exc, ordered, err, debug=debug)
    return 0


def _unexpected_or_database(exc: Exception, args: Sequence[str], err: Console, *, debug: bool) -> int:
    url = _database_url()
    if (problem := database_failure(exc, url)) is not None:
        err.print(problem, markup=False, highlight=False)
        if debug:
            err.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
        return 2
    if debug:
        err.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
        return 1
    logged = _log_traceback(exc, args)
    summary = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    where = f"the full traceback is in {logged}" if logged else "the traceback could not be written to a log"
    err.print(
        f"cqcbot stopped on an unexpected error ({summary}); {where}. Run it again with --debug to see it here.",
        markup=False,
        highlight=False,
    )
    return 1


def _database_url() -> str:
    try:
        return Settings().database_url
    except Exception:  # the settings' own errors are load_settings' to report; here we only want the URL
        return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def _log_thread_failure(hook: threading.ExceptHookArgs, args: Sequence[str]) -> None:
    if isinstance(hook.exc_value, Exception):
        _log_traceback(hook.exc_value, args)


def _log_traceback(exc: Exception, args: Sequence[str]) -> Path | None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = f"--- {stamp} cqcbot {' '.join(args)}\n{''.join(traceback.format_exception(exc))}\n"
    for path in (error_log_path(), Path(tempfile.gettempdir()) / "cqcbot-errors.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(text)
        except OSError:
            continue
        return path
    return None
