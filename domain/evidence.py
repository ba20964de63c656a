"""The evidence library's vocabulary: CQC's evidence categories for local authorities, what an item
holds, the shape a link must have, and where a statement's evidence is thin."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlsplit

MAX_URL_CHARS = 2000
MAX_TITLE_CHARS = 300
# Fewer live items than this in a category flags the statement there: one document is an anecdote.
THIN_BELOW = 2
# Query keys that carry a secret (a SAS signature, a token): such a link would hand CQC a credential.
_SECRET_KEYS = {"password", "pwd", "pass", "token", "access_token", "sig", "signature", "secret", "apikey", "api_key"}


class EvidenceCategory(StrEnum):
    """CQC's four evidence categories for local authority assessment (outcomes and observation are not used)."""

    PEOPLES_EXPERIENCE = "peoples_experience"
    STAFF_AND_LEADERS = "staff_and_leaders"
    PARTNERS = "partners"
    PROCESSES = "processes"

    @property
    def label(self) -> str:
        return {
            EvidenceCategory.PEOPLES_EXPERIENCE: "People's experience",
            EvidenceCategory.STAFF_AND_LEADERS: "Feedback from staff and leaders",
            EvidenceCategory.PARTNERS: "Feedback from partners",
            EvidenceCategory.PROCESSES: "Processes",
        }[self]


def parse_category(text: str) -> EvidenceCategory | None:
    """A category by its value or its label, however it is cased or spaced."""
    wanted = " ".join(text.replace("_", " ").replace("-", " ").replace("'", "").lower().split())
    for category in EvidenceCategory:
        names = {category.value.replace("_", " "), category.label.replace("'", "").lower()}
        if wanted in names:
            return category
    return None


def link_problem(url: str) -> str | None:
    """Why a link cannot go in the library, or None. Its shape only: links are never fetched."""
    if any(char.isspace() for char in url) or not url:
        return "The link must be one web address with no spaces."
    if len(url) > MAX_URL_CHARS:
        return f"The link is too long ({MAX_URL_CHARS:,} characters at most)."
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        return "The link is not a complete web address."
    if parts.scheme.lower() != "https":
        return "The link must start with https:// (CQC will not open unencrypted links)."
    if not host:
        return "The link is not a complete web address."
    if parts.username is not None or parts.password is not None:
        return "The link carries a user name or password: share the document's own link instead."
    if any(key.lower() in _SECRET_KEYS for key, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return "The link carries a secret (a token or signature): share the document's own link instead."
    return None


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    title: str
    url: str
    statement_ids: tuple[str, ...]
    category: EvidenceCategory | None  # None: harvested from a progress update, not yet categorised
    action_ref: str | None
    month: str
    evidence_date: date
    added_by: str
    added_at: datetime
    source: str  # progress | teams | cli
    retired_at: datetime | None = None
    retired_reason: str | None = None

    @property
    def live(self) -> bool:
        return self.retired_at is None


def counts_by_category(items: Iterable[EvidenceItem]) -> dict[EvidenceCategory | None, int]:
    counted = Counter(item.category for item in items if item.live)
    return {category: counted.get(category, 0) for category in (*EvidenceCategory, None)}


def thin_categories(items: Iterable[EvidenceItem]) -> list[EvidenceCategory]:
    counts = counts_by_category(items)
    return [category for category in EvidenceCategory if counts[category] < THIN_BELOW]
