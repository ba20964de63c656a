"""One month's digest and board appendix, composed once from the same input for every output.

The card, the terminal preview, the served report and the exported files all start here, so
they always agree on the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.board_appendix import BoardAppendix, compose_appendix
from domain.digest import compose_digest
from domain.digest_model import Digest, DigestInput
from domain.readiness_view import Readiness


@dataclass(frozen=True)
class MonthReport:
    data: DigestInput
    digest: Digest
    appendix: BoardAppendix
    readiness: Readiness | None = None  # the CQC readiness section, once the plan has quality statements

    @property
    def month(self) -> str:
        return self.data.month


def compose_month_report(data: DigestInput, readiness: Readiness | None = None) -> MonthReport:
    digest = compose_digest(data)
    return MonthReport(data, digest, compose_appendix(data, digest), readiness)
