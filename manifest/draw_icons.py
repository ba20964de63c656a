"""Draw the Teams app icons: a tick that turns into a rising trend arrow.

    python -m manifest.draw_icons            # rewrites manifest/icons/color.png and outline.png

color.png   192x192: white motif on a rounded NHS-blue square (transparent corners).
outline.png  32x32:  the same motif in pure white on a transparent background, as Teams requires.

Shapes are signed distance functions sampled once per pixel; a one-pixel ramp at the edge gives
anti-aliasing. Standard library only, so anyone can regenerate the icons.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from manifest.pngio import Pixel, write_png

ICONS_DIR = Path(__file__).resolve().parent / "icons"
COLOR_SIZE = 192
OUTLINE_SIZE = 32
BLUE = (0, 94, 184)  # NHS blue, #005EB8 (also the manifest's accentColor)
LIGHT_BLUE = (65, 182, 230)  # NHS light blue, #41B6E6, for the faint bars behind the tick
WHITE = (255, 255, 255)

Point = tuple[float, float]
Sdf = Callable[[float, float], float]  # signed distance in pixels: < 0 inside, > 0 outside

# The motif in a unit box (y grows downwards): a tick whose long arm rises into an arrowhead.
TICK: tuple[Point, ...] = ((0.0, 0.62), (0.3, 0.92), (0.86, 0.22))
ARROW_LENGTH = 0.34  # arrowhead length along the arm, in unit-box widths
ARROW_HALF_WIDTH = 0.22
# Three rising bars behind the tick: (left, top, right), all standing on BARS_BOTTOM.
BARS: tuple[tuple[float, float, float], ...] = (
    (0.02, 0.74, 0.22),
    (0.36, 0.52, 0.56),
    (0.70, 0.44, 0.90),
)
BARS_BOTTOM = 1.0


# --- signed distance functions --------------------------------------------------------------------


def segment(a: Point, b: Point, half_width: float) -> Sdf:
    """A stroke from a to b with round caps."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def sdf(x: float, y: float) -> float:
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - half_width

    return sdf


def polygon(points: tuple[Point, ...]) -> Sdf:
    """Exact signed distance to a simple polygon (even-odd rule for the sign)."""

    def sdf(x: float, y: float) -> float:
        best = math.inf
        inside = False
        for i, (ax, ay) in enumerate(points):
            bx, by = points[i - 1]
            ex, ey = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)))
            best = min(best, math.hypot(x - (ax + t * ex), y - (ay + t * ey)))
            if (ay > y) != (by > y) and x < ax + (y - ay) * ex / ey:
                inside = not inside
        return -best if inside else best

    return sdf


def rounded_rect(left: float, top: float, right: float, bottom: float, radius: float) -> Sdf:
    cx, cy = (left + right) / 2, (top + bottom) / 2
    hx, hy = (right - left) / 2 - radius, (bottom - top) / 2 - radius

    def sdf(x: float, y: float) -> float:
        qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return sdf


def union(*shapes: Sdf) -> Sdf:
    return lambda x, y: min(shape(x, y) for shape in shapes)


def coverage(sdf: Sdf, x: float, y: float) -> float:
    """Fraction of the pixel centred on (x, y) covered by the shape (a 1 px linear ramp)."""
    return max(0.0, min(1.0, 0.5 - sdf(x, y)))


# --- the motif -----------------------------------------------------------------------------------


def tick_arrow(stroke: float) -> Sdf:
    """The tick-and-arrow motif in unit-box coordinates, stroke as a fraction of the box."""
    start, corner, tip = TICK
    ux, uy = tip[0] - corner[0], tip[1] - corner[1]
    norm = math.hypot(ux, uy)
    ux, uy = ux / norm, uy / norm
    base = (tip[0] - ux * ARROW_LENGTH, tip[1] - uy * ARROW_LENGTH)
    head = polygon(
        (
            tip,
            (base[0] - uy * ARROW_HALF_WIDTH, base[1] + ux * ARROW_HALF_WIDTH),
            (base[0] + uy * ARROW_HALF_WIDTH, base[1] - ux * ARROW_HALF_WIDTH),
        )
    )
    # Stop the arm inside the arrowhead so its round cap never shows past the tip.
    arm_end = (base[0] + ux * ARROW_LENGTH * 0.3, base[1] + uy * ARROW_LENGTH * 0.3)
    return union(segment(start, corner, stroke / 2), segment(corner, arm_end, stroke / 2), head)


def bars(radius: float) -> Sdf:
    """Rising bars standing on the bottom of the tick, in the same unit-box coordinates."""
    return union(*(rounded_rect(left, top, right, BARS_BOTTOM, radius) for left, top, right in BARS))


def fit(shapes: list[Sdf], box: tuple[float, float, float, float]) -> list[Sdf]:
    """Scale and centre unit-box shapes, together, into a pixel box; distances come out in pixels.

    The shapes' joint bounding box is found by sampling, so tweaking the motif never needs
    hand-tuned offsets.
    """
    steps = 240
    grid = [(-0.5 + 2 * i / steps, -0.5 + 2 * j / steps) for i in range(steps) for j in range(steps)]
    inside = [(x, y) for x, y in grid if min(shape(x, y) for shape in shapes) <= 0]
    x0, x1 = min(x for x, _ in inside), max(x for x, _ in inside)
    y0, y1 = min(y for _, y in inside), max(y for _, y in inside)
    left, top, right, bottom = box
    scale = min((right - left) / (x1 - x0), (bottom - top) / (y1 - y0))
    off_x = (left + right) / 2 - scale * (x0 + x1) / 2
    off_y = (top + bottom) / 2 - scale * (y0 + y1) / 2

    def placed(shape: Sdf) -> Sdf:
        return lambda x, y: shape((x - off_x) / scale, (y - off_y) / scale) * scale

    return [placed(shape) for shape in shapes]


# --- rendering -----------------------------------------------------------------------------------


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return r, g, bl


def render_color(size: int = COLOR_SIZE) -> list[Pixel]:
    square = rounded_rect(0, 0, size, size, size * 0.18)
    # Teams crops and masks colour icons in places: keep the symbol inside the middle ~60 %.
    margin = size * 0.2
    motif, behind = fit([tick_arrow(0.19), bars(0.04)], (margin, margin, size - margin, size - margin))
    pixels: list[Pixel] = []
    for j in range(size):
        for i in range(size):
            x, y = i + 0.5, j + 0.5
            # Pale bars at 40 % strength, then the white motif over everything.
            colour = _mix(BLUE, LIGHT_BLUE, 0.4 * coverage(behind, x, y))
            colour = _mix(colour, WHITE, coverage(motif, x, y))
            pixels.append((*colour, round(coverage(square, x, y) * 255)))
    return pixels


def render_outline(size: int = OUTLINE_SIZE) -> list[Pixel]:
    # Outline icons have no background: the motif alone, pure white, 1 px clear of the edge.
    (motif,) = fit([tick_arrow(0.2)], (1.0, 1.0, size - 1.0, size - 1.0))
    pixels: list[Pixel] = []
    for j in range(size):
        for i in range(size):
            pixels.append((*WHITE, round(coverage(motif, i + 0.5, j + 0.5) * 255)))
    return pixels


def main() -> None:
    ICONS_DIR.mkdir(exist_ok=True)
    write_png(ICONS_DIR / "color.png", COLOR_SIZE, COLOR_SIZE, render_color())
    write_png(ICONS_DIR / "outline.png", OUTLINE_SIZE, OUTLINE_SIZE, render_outline())
    print(f"wrote {ICONS_DIR / 'color.png'} and {ICONS_DIR / 'outline.png'}")  # noqa: T201


if __name__ == "__main__":
    main()
