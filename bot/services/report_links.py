"""Links to the reports and charts the bot serves, signed so they cannot be guessed.

Teams shows a card's images by fetching their URLs, and a "full report" button opens a browser:
neither can carry the bot's Teams credentials. So each month's links carry an HMAC of the month,
made with a key only the bot knows; a link works for anyone who has it (like a "people with the
link" share), and nobody can make one for another month or enumerate them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote

from bot.settings import Settings

FORMATS = ("html", "md", "csv", "docx")
_LABEL = b"cqcbot report links v1"


@dataclass(frozen=True)
class ReportLinks:
    base_url: str  # e.g. https://cqcbot.example.gov.uk, no trailing slash
    key: bytes

    def token(self, month: str) -> str:
        return hmac.new(self.key, f"report:{month}".encode(), hashlib.sha256).hexdigest()[:32]

    def verify(self, month: str, token: str) -> bool:
        return hmac.compare_digest(self.token(month), token)

    def report_url(self, month: str, fmt: str = "html") -> str:
        return f"{self.base_url}/reports/{month}.{fmt}?t={self.token(month)}"

    def chart_url(self, month: str, metric_id: str) -> str:
        name = quote(metric_id, safe="")
        return f"{self.base_url}/reports/{month}/charts/{name}.png?t={self.token(month)}"


def link_key(settings: Settings) -> bytes:
    """Derived from the bot's own secret, so every instance signs alike and restarts keep links.

    In local mode (no credentials: the Agents Playground) there is no secret; links are then only
    as private as the machine. REPORT_LINK_SECRET, when set, is used instead.
    """
    secret = settings.report_link_secret or settings.app_password or settings.app_id
    return hmac.new(_LABEL, (secret or "local-mode").encode(), hashlib.sha256).digest()


def public_base_url(settings: Settings) -> str | None:
    """Where people's devices reach the bot: PUBLIC_URL; in local mode the bot's own address
    (the Agents Playground runs on the same machine); otherwise unknown."""
    if settings.public_url:
        return settings.public_url
    if settings.local_mode:
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        return f"http://{host}:{settings.port}"
    return None


def links_for(settings: Settings) -> ReportLinks | None:
    base = public_base_url(settings)
    return ReportLinks(base, link_key(settings)) if base else None
