"""Drawing a measure's trend chart with matplotlib (Agg): the picture, for bot/reports/charts.py.

One figure serves every chart: its axes, lines and ticks are made once and given new data each
time, because making them is most of matplotlib's cost; the picture is the same as a fresh
figure's. The object API (Figure + FigureCanvasAgg), not pyplot, so there is no global state;
the caller draws one chart at a time on a canvas.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure

from dialogs.formatting import plain_number
from domain.model import Direction, Metric
from domain.trajectory import Reading

# The council's palette is not known; these are colour-blind-safe (Okabe–Ito) and print in grey.
_ACTUAL, _PLAN, _TARGET, _BASELINE = "#0072B2", "#E69F00", "#009E73", "#7F7F7F"
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.6, 100  # 640×360: wide, so it reads on a phone
# Teams shows the picture at the card's width: about 400 px on a phone. Every text is at least 9 px
# there, so at least 9 × 640/400 = 14.4 px in the picture: 10.4 pt at 100 dpi.
CARD_DISPLAY_PX, MIN_TEXT_PX = 400, 9
MIN_POINTS = MIN_TEXT_PX * (WIDTH_IN * DPI / CARD_DISPLAY_PX) * 72 / DPI
SMALL, LARGE = round(MIN_POINTS + 0.05, 1), round(MIN_POINTS + 1.5, 1)


class ChartCanvas:
    """The figure and every artist a chart has; ``draw`` sets their data for one measure."""

    def __init__(self) -> None:
        # Fixed margins rather than a layout engine: half the drawing time, the same picture.
        self.figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        # Room above for a two-line title and below for the legend: neither is drawn over the lines.
        self.figure.subplots_adjust(left=0.1, right=0.96, top=0.8, bottom=0.26)
        FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.add_subplot()
        # Made in drawing order (later ones on top).
        (self.trajectory,) = axes.plot([], [], color=_PLAN, linestyle="--", linewidth=1.5)
        self.baseline = axes.axhline(0, color=_BASELINE, linewidth=0.8, linestyle=":")
        self.target = axes.axhline(0, color=_TARGET, linewidth=1.2)
        (self.target_point,) = axes.plot([], [], marker="D", color=_TARGET, markersize=5)
        (self.actual,) = axes.plot([], [], color=_ACTUAL, marker="o", markersize=3.5, linewidth=2, label="Actual")
        self.latest = axes.annotate(
            "", (0, 0), textcoords="offset points", xytext=(4, 4), fontsize=SMALL, color=_ACTUAL
        )
        # An explicit y: where matplotlib would put the title anyway (nothing is drawn above the
        # axes), without measuring every tick label each time to find out.
        self.title = axes.set_title("", fontsize=LARGE, loc="left", y=1.0)
        # Dates are drawn as matplotlib's day numbers, labelled by the formatter.
        axes.xaxis.set_major_formatter(DateFormatter("%b %y"))
        axes.tick_params(labelsize=SMALL)
        axes.grid(axis="y", linewidth=0.3, alpha=0.6)
        # The axes have no axis labels: fixing where they would go spares measuring every tick
        # label to place them.
        axes.xaxis.set_label_coords(0.5, -0.1)
        axes.yaxis.set_label_coords(-0.1, 0.5)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    def draw(self, metric: Metric, readings: tuple[Reading, ...]) -> bytes:
        """A PNG: the monthly figures against the baseline, the target and the trajectory."""
        axes, baseline, target = self.axes, metric.baseline, metric.target
        ends = date2num([baseline.date, target.date])
        self.trajectory.set_data(ends, [baseline.value, target.value])
        self.trajectory.set_label("Trajectory")
        self.baseline.set_ydata([baseline.value, baseline.value])
        self.baseline.set_label(f"Baseline {plain_number(baseline.value)}")
        self.target.set_ydata([target.value, target.value])
        self.target.set_label(f"Target {plain_number(target.value)}")
        self.target_point.set_data(ends[1:], [target.value])
        days = [day for day, _ in readings]
        values = [value for _, value in readings]
        # With no figures the line is empty as well as hidden, so it cannot stretch the axes.
        self.actual.set_data(date2num(days), values)
        for artist in (self.actual, self.latest):
            artist.set_visible(bool(readings))
        if readings:
            self.latest.set_text(plain_number(values[-1]))
            self.latest.xy = (date2num(days[-1]), values[-1])
        better = "lower is better" if metric.direction is Direction.DOWN else "higher is better"
        # "No figures yet" in the title, where it cannot overlap a line or the legend.
        self.title.set_text(f"{metric.name}\n{metric.unit}; {better}{'' if readings else ' — no figures yet'}")
        axes.relim()
        axes.autoscale_view()
        # Figures are dated at their month's end: tick the month ends, so October's figure sits
        # on "Oct 25" rather than just before "Nov 25".
        dates = [baseline.date, target.date, *days]
        axes.set_xticks(date2num(_month_ends(min(dates), max(dates))))
        # Below the axes, so it never covers a line or the latest figure's label.
        lines = [self.trajectory, self.baseline, self.target, *([self.actual] if readings else [])]
        axes.legend(
            handles=lines, fontsize=SMALL, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=4
        )
        buffer = io.BytesIO()
        # No "Software" stamp, so the same figures give the same bytes (stable examples, caching).
        self.figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()


def _month_ends(first: date, last: date, most: int = 9) -> list[date]:
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = date(year + month // 12, month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        year, month = following.year, following.month
    step = -(-len(ends) // most)  # ceiling: at most ``most`` ticks, the last month always shown
    return ends[::-1][::step][::-1]
