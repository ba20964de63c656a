"""The tab's short server session: a signed, expiring cookie naming the signed-in person.

Validating the Entra token once and then carrying a cookie saves a JWKS look-up and a signature
check on every page. The cookie holds only the person's row id, their email (so a reassigned id
cannot be reused), how they signed in and when it expires, under an HMAC; it is ``HttpOnly``,
``Secure`` and ``SameSite=None`` (the tab is an iframe inside Teams). A CSRF token derived from the
same session protects any form the pages post.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.settings import Settings

COOKIE = "cqc_tab"
LIFETIME = timedelta(minutes=30)
_LABEL = b"cqcbot tab session v1"


@dataclass(frozen=True)
class TabSession:
    person_id: int
    email: str
    how: str  # sso | developer
    expires: datetime


def session_key(settings: Settings) -> bytes:
    """Derived from the bot's secret, as the report links are, but with its own label."""
    secret = settings.report_link_secret or settings.app_password or settings.app_id or "local-mode"
    return hmac.new(_LABEL, secret.encode(), hashlib.sha256).digest()


class SessionCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, body: bytes) -> str:
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def encode(self, session: TabSession) -> str:
        body = json.dumps(
            {"p": session.person_id, "e": session.email, "h": session.how, "x": int(session.expires.timestamp())},
            separators=(",", ":"),
        ).encode()
        return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + self._sign(body)

    def decode(self, value: str, now: datetime) -> TabSession | None:
        """The session, or None when the cookie is forged, malformed or expired."""
        encoded, _, signature = value.partition(".")
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(self._sign(body), signature):
            return None
        try:
            fields = json.loads(body)
            expires = datetime.fromtimestamp(int(fields["x"]), tz=now.tzinfo)
            session = TabSession(int(fields["p"]), str(fields["e"]), str(fields["h"]), expires)
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > now else None

    def csrf_token(self, cookie_value: str) -> str:
        """Bound to this session: a form from another session, or another site, does not carry it."""
        return hmac.new(self._key, b"csrf:" + cookie_value.encode(), hashlib.sha256).hexdigest()[:32]

    def check_csrf(self, cookie_value: str, token: str) -> bool:
        return hmac.compare_digest(self.csrf_token(cookie_value), token)
