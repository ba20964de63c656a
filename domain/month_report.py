"""One month's digest and board appendix, composed once from the same input for every output.

The card, the terminal preview, the served report and the exported files all start here, so
they always agree on the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.board_appendix import BoardAppendix, compose_appendix
from domain.digest import compose_digest
from domain.digest_model import Digest, DigestInput


@dataclass(frozen=True)
class MonthReport:
    data: DigestInput
    digest: Digest
    appendix: BoardAppendix

    @property
    def month(self) -> str:
        return self.data.month


def compose_month_report(data: DigestInput) -> MonthReport:
    digest = compose_digest(data)
    return MonthReport(data, digest, compose_appendix(data, digest))
