"""Trend charts readable at the card's width: every text at least 9 px there, nothing over the lines."""

from __future__ import annotations

from datetime import date

from matplotlib.text import Text

from bot.reports.chart_drawing import CARD_DISPLAY_PX, DPI, MIN_TEXT_PX, WIDTH_IN, ChartCanvas
from domain.model import DatedValue, Direction, Metric

METRIC = Metric(
    id="dols",
    name="DoLS applications awaiting assessment",
    unit="applications",
    direction=Direction.DOWN,
    owner="m.owner@council.example",
    baseline=DatedValue(412, date(2025, 9, 30)),
    target=DatedValue(250, date(2026, 3, 31)),
)
READINGS = ((date(2025, 10, 31), 400.0), (date(2025, 11, 30), 380.0))


def test_every_text_is_at_least_9_px_at_the_cards_width() -> None:
    canvas = ChartCanvas()
    for readings in ((), READINGS):
        canvas.draw(METRIC, readings)
        shown = [t for t in canvas.figure.findobj(Text) if t.get_visible() and t.get_text()]
        assert shown
        scale = CARD_DISPLAY_PX / (WIDTH_IN * DPI)
        for text in shown:
            px = text.get_fontsize() * DPI / 72 * scale
            assert px >= MIN_TEXT_PX, f"{text.get_text()!r} is {px:.1f} px"


def test_the_legend_and_the_no_figures_note_stay_off_the_plot() -> None:
    canvas = ChartCanvas()
    canvas.draw(METRIC, ())
    renderer = canvas.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    plot = canvas.axes.get_window_extent(renderer)
    legend = canvas.axes.get_legend().get_window_extent(renderer)
    assert legend.y1 < plot.y0  # below the axes
    assert "no figures yet" in canvas.title.get_text() and canvas.title.get_window_extent(renderer).y0 >= plot.y1
    canvas.draw(METRIC, READINGS)
    assert "no figures yet" not in canvas.title.get_text()
