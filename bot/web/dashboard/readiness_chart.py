"""CQC's score and the latest self-assessment of each quality statement as SVG bars: one row per
statement, the CQC bar outlined and the self-assessment bar filled, each labelled with its number,
so neither colour nor length alone carries the score. The table on the page is the text alternative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.readiness import MAX_SCORE
from domain.readiness_view import StatementReadiness

WIDTH = 640
LEFT, RIGHT, TOP = 196, 40, 28  # room for a 26-character name at 12 px
ROW, BAR, GAP = 34, 12, 2


@dataclass(frozen=True)
class BarRow:
    name: str
    y: float  # top of the CQC bar
    cqc_width: float
    self_width: float
    cqc_score: int
    self_score: int
    assessed: bool  # False: no self-assessment yet, the bar repeats CQC's score

    @property
    def label(self) -> str:
        own = f"self-assessed {self.self_score}" if self.assessed else "not yet self-assessed"
        return f"{self.name}: CQC {self.cqc_score}, {own}"


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    left: int
    right_edge: int
    rows: tuple[BarRow, ...]
    ticks: tuple[tuple[float, int], ...]  # (x, score) gridlines 0–4
    bar: int = BAR  # each bar's height; the self-assessment bar sits just under CQC's
    gap: int = GAP


def _short(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def build_score_chart(statements: Sequence[StatementReadiness]) -> ScoreChart:
    span = WIDTH - LEFT - RIGHT

    def width(score: int) -> float:
        return span * score / MAX_SCORE

    rows = tuple(
        BarRow(
            _short(s.name),
            TOP + index * ROW,
            width(s.cqc_score),
            width(s.self_score),
            s.cqc_score,
            s.self_score,
            s.latest is not None,
        )
        for index, s in enumerate(statements)
    )
    ticks = tuple((LEFT + width(score), score) for score in range(MAX_SCORE + 1))
    return ScoreChart(WIDTH, TOP + len(rows) * ROW + 8, LEFT, WIDTH - RIGHT, rows, ticks)
