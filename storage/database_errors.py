"""An unreachable or broken database described in one line: which URL (password masked), what to check."""

from __future__ import annotations

import re
import socket
import sqlite3

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError

# What stops a command from using the database at all, as opposed to a bug in a query. Only network
# errors among OSErrors: a file that cannot be written is the command's own message, not the database's.
_UNREACHABLE = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    sqlite3.OperationalError,
)
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")


def masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def database_failure(exc: BaseException, url: str) -> str | None:
    """The one-line explanation when ``exc`` (or what caused it) means the database cannot be used."""
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return f"DATABASE_URL {masked_url(url)!r} is not a database URL this bot can use ({_reason(exc)})."
    cause = _first_unreachable(exc)
    if cause is None:
        return None
    where = f"Cannot use the database at {masked_url(url)}: {_reason(cause)}."
    if url.startswith("sqlite"):
        return f"{where} Check DATABASE_URL, that the folder exists, and that the file is this bot's SQLite database."
    return f"{where} Check DATABASE_URL, that the server is running and reachable, and the user name and password."


def _first_unreachable(exc: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE) or _is_broken_file(current) or _is_driver_connection_error(current):
            return current
        current = current.__cause__ or current.__context__
    return None


def _is_broken_file(exc: BaseException) -> bool:
    # "file is not a database", "database disk image is malformed": the base class, not its
    # subclasses (an IntegrityError is a bug or a conflict, not a broken file).
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return type(orig).__name__ == "DatabaseError" and "database" in str(orig)


def _is_driver_connection_error(exc: BaseException) -> bool:
    # asyncpg's refusals (bad password, no such database) are its own exception classes.
    module = type(exc).__module__
    return module.startswith("asyncpg") and type(exc).__name__.endswith(
        ("PasswordError", "CatalogNameError", "AuthorizationSpecificationError", "CannotConnectNowError")
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.rstrip(".").lower()
    text = _BACKGROUND.sub("", str(exc)).strip().splitlines()
    first = (text[0] if text else type(exc).__name__).strip().rstrip(".")
    # SQLAlchemy prefixes the driver's class name: "(sqlite3.DatabaseError) file is not a database".
    first = re.sub(r"^\([\w.]+\)\s*", "", first)
    return first[:200]
