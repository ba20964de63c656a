"""The monthly figures card: one per metric owner, a number box per metric they own; what it sends
back; confirming big changes and corrections; the receipt that replaces it.

Pure, like dialogs/progress.py: bot/ looks the figures up and hands back ``action.data``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dialogs import cards
from dialogs.cards import Card
from dialogs.formatting import amount, long_date, month_label, percent
from domain.model import Direction, Metric
from domain.trajectory import MetricStatus, judge, trajectory_value

FIGURES_CARD_VERSION = "figures-1"  # bump when the inputs change, so stale cards can be spotted
SUBMIT_VERB = "figures.submit"
EDIT_VERB = "figures.edit"
VALUE_PREFIX = "value__"  # + metric id: one Input.Number per metric
CONFIRM_ID = "confirm_figures"
CARD_ERROR = "card"  # errors key for the card as a whole rather than one figure
MAX_FIGURE = 10**9  # anything larger is a slip of the keyboard (and floats stay exact far beyond)
MAX_METRICS = 40  # more ids than any owner could have: a forged card

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Figure:
    period: str  # "YYYY-MM"
    value: float
    by: str | None
    when_text: str  # already in the council's local time


@dataclass(frozen=True)
class MeasureFigures:
    """One measure's line on the figures card (the digest's table row is domain.digest_model.MetricRow)."""

    metric: Metric
    previous: Figure | None  # the latest figure before this period ("last month", usually)
    recorded: Figure | None  # already recorded for this period


@dataclass(frozen=True)
class FiguresView:
    period: str  # the month the figures are for, "YYYY-MM"
    period_end: date  # where the trajectory is read
    rows: tuple[MeasureFigures, ...]
    deadline: date | None = None  # the figures round's reply-by date, once it is open


@dataclass(frozen=True)
class FiguresForm:
    values: dict[str, int]  # metric id → a valid figure; blank boxes are absent
    typed: dict[str, str]  # metric id → the text as sent, to give back untouched
    errors: dict[str, str]  # metric id (or "card") → what to fix
    confirmed: bool  # the confirmation box was ticked
    checked: dict[str, object]  # the figures the card asked to confirm, as they were then


def parse_period(raw: object, *, latest: str) -> str | None:
    """The card's period, if well formed and not after ``latest`` (a month not yet over)."""
    if isinstance(raw, str) and _PERIOD.fullmatch(raw) and raw <= latest:
        return raw
    return None


def parse_metric_ids(raw: object) -> tuple[str, ...] | None:
    """The metrics the card was built for: distinct, non-empty ids."""
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_METRICS:
        return None
    ok = all(isinstance(i, str) and i for i in raw) and len(set(raw)) == len(raw)
    return tuple(raw) if ok else None


def _number(text: str) -> Decimal | None:
    """The number typed, if it is one; "1,234" is how people write numbers in documents."""
    text = text.strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def parse_figure(raw: str) -> tuple[int | None, str | None]:
    """(figure, None), (None, None) for a blank box, or (None, what to fix)."""
    text = raw.strip()
    if not text:
        return None, None
    number = _number(text)
    if number is None:
        return None, f"{cards.quote(text)} is not a number. Please type digits only, e.g. 120."
    if number < 0:
        return None, "A figure can't be negative. Please enter 0 or more."
    if number != number.to_integral_value():
        return None, f"Please enter a whole number: {text} has a fraction. Please round it."
    if number > MAX_FIGURE:
        return None, f"{text} is far larger than any figure here. Please check it."
    return int(number), None


def parse_figures(data: Mapping[str, object], metric_ids: Sequence[str]) -> FiguresForm:
    """Check each box as strictly as the card does: clients can be bypassed."""
    values: dict[str, int] = {}
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for metric_id in metric_ids:
        raw = data.get(VALUE_PREFIX + metric_id)
        if raw is None:
            continue  # clients leave out an empty Input.Number
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(raw)  # a client that sends a number as a number
        elif not isinstance(raw, str):
            errors[CARD_ERROR] = _FORGED
            continue
        typed[metric_id] = raw
        value, problem = parse_figure(raw)
        if problem:
            errors[metric_id] = problem
        elif value is not None:
            values[metric_id] = value
    if not values and not errors:
        errors[CARD_ERROR] = "Please enter at least one figure. Nothing was saved."
    checked = data.get("checked")  # compared with the figures as typed, so a forged one is harmless
    checked = dict(checked) if isinstance(checked, dict) else {}
    return FiguresForm(values, typed, errors, data.get(CONFIRM_ID) == "true", checked)


def checks_needed(view: FiguresView, values: Mapping[str, int], share: float) -> dict[str, str]:
    """Figures to confirm before storing: a correction, or a change of more than ``share``.

    A figure equal to the one already recorded was confirmed when stored: not asked about again.
    """
    label = month_label(view.period)
    checks = {}
    for row in view.rows:
        value, unit = values.get(row.metric.id), row.metric.unit
        if value is None or (row.recorded is not None and row.recorded.value == value):
            continue
        notes = []
        if row.recorded is not None:
            by = f" (by {row.recorded.by}, {row.recorded.when_text})" if row.recorded.by else ""
            notes.append(
                f"{amount(row.recorded.value, unit)} is already recorded for {label}{by}."
                f" Submitting replaces it with {amount(value, unit)}."
            )
        previous = row.previous  # else the baseline, so a slip in the first figure is caught
        reference = previous.value if previous else row.metric.baseline.value
        where = month_label(previous.period) if previous else "the baseline"
        if reference == 0 and value != 0:
            notes.append(f"That is up from 0 in {where}.")
        elif reference != 0 and abs(value - reference) > share * abs(reference) + 1e-9:
            share_text = percent(abs(value - reference) / abs(reference))
            notes.append(
                f"That is {share_text} {'higher' if value > reference else 'lower'} than"
                f" {where} ({amount(reference, unit)} → {amount(value, unit)})."
            )
        if notes:
            checks[row.metric.id] = " ".join(notes)
    return checks


def needs_confirmation(form: FiguresForm, checks: Mapping[str, str]) -> bool:
    """Confirmed means ticked for these very figures: one changed since the tick is asked again."""
    return any(not form.confirmed or form.checked.get(i) != form.values.get(i) for i in checks)


def build_figures_card(
    view: FiguresView,
    *,
    form: FiguresForm | None = None,
    checks: Mapping[str, str] | None = None,
    notice: str | None = None,
    card_id: str = "",
    card_version: str = FIGURES_CARD_VERSION,
) -> Card:
    """The card; what the officer typed (``form``) wins over the figures already recorded."""
    errors, checks = (form.errors if form else {}), checks or {}
    top = notice or errors.get(CARD_ERROR, "")
    deadline = long_date(view.deadline) if view.deadline else ""
    card = cards.fill(
        cards.load_template("figures_prompt"),
        {
            "notice": top,
            "period_label": month_label(view.period),
            "deadline": deadline,
        },
    )
    cards.remove(card, [key for key, text in (("notice", top), ("deadline", deadline)) if not text])
    blocks = [_metric_block(view, row, form, checks.get(row.metric.id)) for row in view.rows]
    cards.find(card, "metrics")["items"] = blocks
    data: dict[str, Any] = {
        "period": view.period,
        "metrics": [r.metric.id for r in view.rows],
        "card_version": card_version,
    }
    if card_id:
        data["card_id"] = card_id
    if checks:
        values = form.values if form else {}
        data["checked"] = {i: values[i] for i in checks if i in values}
    else:
        cards.remove(card, ["confirm"])
    cards.set_action_data(cards.find(card, "submit"), SUBMIT_VERB, data)
    return card


def build_figures_receipt(
    view: FiguresView, *, author_name: str, when_text: str, notes: Mapping[str, str] | None = None
) -> Card:
    """What is recorded for the period now; ``notes`` say per metric e.g. "corrected from 150"."""
    card = cards.fill(
        cards.load_template("figures_receipt"),
        {
            "period_label": month_label(view.period),
            "author": author_name,
            "when": when_text,
        },
    )
    items = [_receipt_block(view, row, (notes or {}).get(row.metric.id)) for row in view.rows]
    cards.find(card, "metrics")["items"] = items
    if all(row.recorded for row in view.rows):
        cards.remove(card, ["missing_hint"])
    data = {"period": view.period, "metrics": [r.metric.id for r in view.rows]}
    cards.set_action_data(cards.find(card, "edit"), EDIT_VERB, data)
    return card


def status_text(metric: Metric, on: date, value: float) -> str:
    """On track / off track / target met for one figure, with the line it was judged against."""
    judgement, line = judge(metric, [(on, value)], on), _bound(metric, trajectory_value(metric, on))
    if judgement.status is MetricStatus.TARGET_MET:
        return f"Target met ({_bound(metric, metric.target.value)})"
    if judgement.status is MetricStatus.OFF_TRACK:
        worse = " — worse than the baseline" if judgement.worse_than_baseline else ""
        return f"**Off track**: the trajectory says {line}{worse}"
    return f"On track (trajectory {line})"


def _bound(metric: Metric, value: float) -> str:
    word = "at most" if metric.direction is Direction.DOWN else "at least"
    return f"{word} {amount(value, metric.unit)}"


def _facts(view: FiguresView, row: MeasureFigures) -> list[dict[str, str]]:
    metric, previous, label = row.metric, row.previous, month_label(view.period)
    unit, baseline, target = metric.unit, metric.baseline, metric.target
    better = "lower" if metric.direction is Direction.DOWN else "higher"
    if previous is None:
        last = ("Last month", "No figure yet")
    else:
        month_before = f"{view.period_end.replace(day=1) - timedelta(days=1):%Y-%m}"
        when = "Last month" if previous.period == month_before else "Last figure"
        last = (f"{when} ({month_label(previous.period)})", amount(previous.value, unit))
    rows = [
        last,
        ("Baseline", f"{amount(baseline.value, unit)} ({long_date(baseline.date)})"),
        ("Target", f"{amount(target.value, unit)} by {long_date(target.date)}"),
        (
            f"Trajectory for {label}",
            f"{_bound(metric, trajectory_value(metric, view.period_end))} ({better} is better)",
        ),
    ]
    if row.recorded is not None:
        by = f" by {row.recorded.by}" if row.recorded.by else ""
        rows.append(
            (f"Recorded for {label}", f"{amount(row.recorded.value, metric.unit)}{by}, {row.recorded.when_text}")
        )
    return [cards.fact(title, value) for title, value in rows]


def _metric_block(
    view: FiguresView, row: MeasureFigures, form: FiguresForm | None, check: str | None
) -> dict[str, Any]:
    metric = row.metric
    typed = form.typed.get(metric.id) if form else None
    error = form.errors.get(metric.id) if form else None
    box: dict[str, Any] = {
        "type": "Input.Number",
        "id": VALUE_PREFIX + metric.id,
        "label": f"{month_label(view.period)} figure ({metric.unit})",
        "min": 0,
        "placeholder": "A whole number, or leave blank",
        "errorMessage": "Please enter a whole number, 0 or more.",
    }
    # An Input.Number holds numbers only: text that is not one is quoted in the error instead.
    shown = _number(typed) if typed is not None else None
    if shown is None and typed is None and row.recorded is not None:
        shown = Decimal(str(row.recorded.value))
    if shown is not None:
        box["value"] = int(shown) if shown == shown.to_integral_value() else float(shown)
    items = [
        {"type": "TextBlock", "text": metric.name, "weight": "bolder", "wrap": True},
        {"type": "FactSet", "facts": _facts(view, row)},
        box,
    ]
    for kind, text in (("error", error), ("check", check)):
        if text:  # under the box, as the progress card shows its errors; a sign and bold, not colour
            items.append(
                {
                    "type": "TextBlock",
                    "id": f"{kind}__{metric.id}",
                    "text": f"⚠ {text}",
                    "weight": "bolder",
                    "size": "small",
                    "spacing": "none",
                    "wrap": True,
                }
            )
    return {"type": "Container", "id": f"metric__{metric.id}", "separator": True, "items": items}


def _receipt_block(view: FiguresView, row: MeasureFigures, note: str | None) -> dict[str, Any]:
    metric, recorded = row.metric, row.recorded
    facts = [cards.fact("Figure", "Not given yet")]
    if recorded is not None:
        figure = f"**{amount(recorded.value, metric.unit)}**" + (f" ({note})" if note else "")
        facts = [
            cards.fact("Figure", figure),
            cards.fact("Status", status_text(metric, view.period_end, recorded.value)),
        ]
    return {
        "type": "Container",
        "separator": True,
        "items": [
            {"type": "TextBlock", "text": metric.name, "weight": "bolder", "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
    }


_FORGED = "This card is missing details the bot needs. Please type **figures** for a fresh card."
