"""Links to the reports and charts the bot serves: signed for one purpose, and expiring.

Teams shows a card's images by fetching their URLs, and a "full report" button opens a browser:
neither can carry the bot's Teams credentials. So each link carries a token: its expiry time,
signed (HMAC-SHA256, through itsdangerous, compared in constant time) together with what the link
is for: the report of month M, or the chart of measure C in month M. A link works for anyone who
has it until it expires (like a "people with the link" share); nobody can make one for another
month, another chart or a later expiry.

The key is REPORT_LINK_SECRET, or one derived from the client secret: never from a public value
such as the app id (it is in every user's Teams app package). Settings refuse to start outside
local mode without one of them. In local mode with neither, each process makes a random key: links
then work in the process that made them (the server), not across a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum, auto
from functools import cache
from urllib.parse import quote

from itsdangerous import BadSignature, Signer

from bot.settings import Settings

FORMATS = ("html", "md", "csv", "docx")
_LABEL = b"cqcbot report links v2"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LinkCheck(Enum):
    VALID = auto()
    EXPIRED = auto()  # genuine, but past its expiry: the page says so
    INVALID = auto()  # tampered, for another purpose, or not a token: as if the page did not exist


def report_purpose(month: str) -> str:
    return f"report:{month}"


def chart_purpose(month: str, metric_id: str) -> str:
    return f"chart:{month}:{metric_id}"


@dataclass(frozen=True)
class ReportLinks:
    base_url: str  # e.g. https://cqcbot.example.gov.uk, no trailing slash
    key: bytes
    lifetime: timedelta = timedelta(days=30)
    clock: Callable[[], datetime] = field(default=_utc_now, compare=False)

    def _signer(self, purpose: str) -> Signer:
        return Signer(self.key, salt=purpose, key_derivation="hmac", digest_method=hashlib.sha256)

    def token(self, purpose: str) -> str:
        expires = int((self.clock() + self.lifetime).timestamp())
        return self._signer(purpose).sign(str(expires)).decode()

    def check(self, purpose: str, token: str) -> LinkCheck:
        try:
            expires = self._signer(purpose).unsign(token.encode()).decode()
        except (BadSignature, UnicodeError):
            return LinkCheck.INVALID
        if not expires.isdigit():
            return LinkCheck.INVALID
        return LinkCheck.VALID if self.clock().timestamp() <= int(expires) else LinkCheck.EXPIRED

    def report_url(self, month: str, fmt: str = "html") -> str:
        return f"{self.base_url}/reports/{month}.{fmt}?t={self.token(report_purpose(month))}"

    def chart_url(self, month: str, metric_id: str) -> str:
        name = quote(metric_id, safe="")
        return f"{self.base_url}/reports/{month}/charts/{name}.png?t={self.token(chart_purpose(month, metric_id))}"


@cache
def _process_key() -> bytes:
    return secrets.token_bytes(32)


def link_key(settings: Settings) -> bytes:
    """REPORT_LINK_SECRET, else derived from the client secret; in local mode with neither, random."""
    secret = settings.report_link_secret or settings.app_password
    if not secret:
        return _process_key()  # settings refuse this outside local mode
    return hmac.new(_LABEL, secret.encode(), hashlib.sha256).digest()


def public_base_url(settings: Settings) -> str | None:
    """Where people's devices reach the bot: PUBLIC_URL; in local mode the bot's own address
    (the Agents Playground runs on the same machine); otherwise unknown."""
    if settings.public_url:
        return settings.public_url
    if settings.local_mode:
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        return f"http://{host}:{settings.port}"
    return None


def links_for(settings: Settings, clock: Callable[[], datetime] = _utc_now) -> ReportLinks | None:
    base = public_base_url(settings)
    if not base:
        return None
    return ReportLinks(base, link_key(settings), timedelta(days=settings.report_link_days), clock)
