"""The rating a set of quality statement scores projects, by CQC's local authority thresholds.

Every statement is scored 1–4 and weighted equally; the overall score is the total as a percentage of
the maximum (4 per statement). CQC's bands are given on whole percentages (25–38 inadequate, 39–62
requires improvement, 63–87 good, 88 and above outstanding), and councils quote the whole number
("a total score of 64" for 23 of 36), so the band is read from the percentage rounded half up: the
band and the figure shown never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import combinations

MIN_SCORE, MAX_SCORE = 1, 4


class Band(IntEnum):
    """CQC's ratings, in order; the value is the lowest whole percentage of the band."""

    INADEQUATE = 25
    REQUIRES_IMPROVEMENT = 39
    GOOD = 63
    OUTSTANDING = 88

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def next(self) -> Band | None:
        higher = [band for band in Band if band > self]
        return higher[0] if higher else None

    @property
    def previous(self) -> Band | None:
        lower = [band for band in Band if band < self]
        return lower[-1] if lower else None


@dataclass(frozen=True)
class StatementScore:
    statement_id: str
    name: str
    score: int


@dataclass(frozen=True)
class Move:
    """Raise one statement's score."""

    statement_id: str
    name: str
    from_score: int
    to_score: int

    @property
    def text(self) -> str:
        return f"{self.name} {self.from_score} → {self.to_score}"


@dataclass(frozen=True)
class Projection:
    total: int
    maximum: int
    percent: int  # whole percentage, rounded half up
    band: Band
    points_above_previous: int | None  # points over the highest total of the band below
    points_to_next: int | None  # points still needed to reach the next band
    move_sets: tuple[tuple[Move, ...], ...]  # the smallest sets of moves that reach the next band
    move_sets_total: int  # how many such sets exist (move_sets lists the first few)

    @property
    def summary(self) -> str:
        """E.g. "Good, 64 %: 1 point above Requires improvement, 9 points short of Outstanding"."""
        parts = []
        if self.points_above_previous is not None and (below := self.band.previous):
            parts.append(f"{_points(self.points_above_previous)} above {below.label}")
        if self.points_to_next is not None and (above := self.band.next):
            parts.append(f"{_points(self.points_to_next)} short of {above.label}")
        position = f": {', '.join(parts)}" if parts else ""
        return f"{self.band.label}, {self.percent} %{position}"


def _points(n: int) -> str:
    return f"{n} point{'s' if n != 1 else ''}"


def percent_of(total: int, maximum: int) -> int:
    """The whole percentage, rounded half up, in integers (no float edge at the thresholds)."""
    return (200 * total + maximum) // (2 * maximum)


def band_of(total: int, maximum: int) -> Band:
    percent = percent_of(total, maximum)
    reached = [band for band in Band if percent >= band]
    return reached[-1] if reached else Band.INADEQUATE


def _lowest_total_in(band: Band, count: int) -> int | None:
    maximum = count * MAX_SCORE
    for total in range(count * MIN_SCORE, maximum + 1):
        if band_of(total, maximum) >= band:
            return total
    return None


def project(scores: Sequence[StatementScore], *, max_move_sets: int = 5) -> Projection:
    """The projection of these scores; raises ValueError for no statements or a score outside 1–4."""
    if not scores:
        raise ValueError("no quality statements to score")
    for item in scores:
        if not MIN_SCORE <= item.score <= MAX_SCORE:
            raise ValueError(f"{item.name}: score {item.score} is not between {MIN_SCORE} and {MAX_SCORE}")
    count, total = len(scores), sum(item.score for item in scores)
    maximum = count * MAX_SCORE
    band = band_of(total, maximum)
    lowest_here = _lowest_total_in(band, count)
    above = total - lowest_here + 1 if band.previous and lowest_here is not None else None
    target = _lowest_total_in(band.next, count) if band.next else None
    to_next = target - total if target is not None else None
    sets, found = _move_sets(scores, to_next, max_move_sets) if to_next else ((), 0)
    return Projection(total, maximum, percent_of(total, maximum), band, above, to_next, sets, found)


def _move_sets(scores: Sequence[StatementScore], points: int, limit: int) -> tuple[tuple[tuple[Move, ...], ...], int]:
    """The sets touching the fewest statements whose headroom covers ``points``; each set raises its
    lowest-scored statements first, by exactly ``points`` in all."""
    movable = [item for item in scores if item.score < MAX_SCORE]
    for size in range(1, len(movable) + 1):
        chosen = [group for group in combinations(movable, size) if _headroom(group) >= points]
        if chosen:
            return tuple(_assign(group, points) for group in chosen[:limit]), len(chosen)
    return (), 0


def _headroom(group: Iterable[StatementScore]) -> int:
    return sum(MAX_SCORE - item.score for item in group)


def _assign(group: Sequence[StatementScore], points: int) -> tuple[Move, ...]:
    moves: list[Move] = []
    left = points
    for item in sorted(group, key=lambda s: s.score):
        raise_by = min(MAX_SCORE - item.score, left - (len(group) - len(moves) - 1))
        raise_by = max(raise_by, 1)
        moves.append(Move(item.statement_id, item.name, item.score, item.score + raise_by))
        left -= raise_by
    return tuple(moves)
