"""The monthly digest card, and the "see more" pages behind it.

Fits Teams' budget however large the plan: the fixed parts (response, themes, measures) come
first, then as many red/amber actions, people and completions as fit; whatever does not fit is
counted in a notice that points to the full report (Action.OpenUrl) and to paged cards
(Action.Execute ``digest.more``), each of which is also kept within the budget.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogs import cards
from dialogs import digest_items as items
from dialogs.cards import Card
from dialogs.digest_withdrawn import place_withdrawn
from dialogs.formatting import long_date, month_label, percent
from domain.digest_model import Digest
from domain.model import Rag
from domain.months import MONTH

MORE_VERB = "digest.more"
# Room for the message envelope around the card; card_size_bytes already errs on the safe side.
DIGEST_BUDGET = cards.MAX_CARD_BYTES - 1024
THEMES_SHOWN = 12
METRICS_SHOWN = 8
CONCERNS_SHOWN = 10
PEOPLE_SHOWN = 12
COMPLETIONS_SHOWN = 10
SECTIONS = ("concerns", "people", "completions")
SECTION_TITLES = {
    "concerns": ("Red and amber actions", "Show every red and amber action"),
    "people": ("Who we are waiting for", "Show everyone we are waiting for"),
    "completions": ("Completed this month", "Show every completion"),
}


@dataclass(frozen=True)
class DigestLinks:
    """Where the bot serves the full report and the charts; None/empty when it has no public URL."""

    report_url: str | None = None
    chart_urls: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MoreRequest:
    month: str
    section: str
    offset: int


def build_digest_card(digest: Digest, links: DigestLinks = DigestLinks(), *, budget: int = DIGEST_BUDGET) -> Card:
    card = cards.fill(
        cards.load_template("digest"),
        {
            "month_label": month_label(digest.month),
            "subtitle": f"{digest.organisation} · as at {items.short_date(digest.as_of)}",
            "headline": _headline(digest),
            "previous_label": month_label(digest.previous_month),
            "people_heading": "Overdue, away or unreachable"
            if digest.past_deadline
            else "Not yet answered, away or unreachable",
            "truncated": "",
            "report_url": links.report_url or "",
        },
    )
    cards.find(card, "response")["facts"] = _response_facts(digest)
    cards.find(card, "themes")["facts"] = [
        cards.fact(t.name, items.theme_words(t)) for t in digest.themes[:THEMES_SHOWN]
    ]
    cards.find(card, "metrics")["items"] = [
        items.metric_element(row, links.chart_urls.get(row.metric_id)) for row in digest.metrics[:METRICS_SHOWN]
    ]
    hidden = {
        "concerns": 0,
        "people": 0,
        "completions": 0,
        "themes": max(0, len(digest.themes) - THEMES_SHOWN),
        "measures": max(0, len(digest.metrics) - METRICS_SHOWN),
    }
    # A generous placeholder so the notice filled in at the end still fits the budget.
    cards.find(card, "truncated_text")["text"] = "x" * 400
    place_withdrawn(card, digest)  # before measuring: its line counts against the budget too
    size = cards.card_size_bytes(card)
    shown: dict[str, int] = {}
    for position, section in enumerate(SECTIONS):
        elements = section_elements(digest, section)
        # Each list gets a fair share of what is left (what it leaves unused goes to the next), so a long
        # list of concerns never crowds out who is overdue.
        share = size + (budget - size) // (len(SECTIONS) - position)
        limit = {
            "concerns": CONCERNS_SHOWN,
            "people": PEOPLE_SHOWN,
            "completions": COMPLETIONS_SHOWN,
        }[section]
        holder = cards.find(card, section)["items"]
        shown[section], size = _fit(holder, elements[:limit], size, share)
        hidden[section] = len(elements) - shown[section]
    _finish(card, digest, links, hidden)
    return card


def build_more_card(
    digest: Digest,
    request: MoreRequest,
    links: DigestLinks = DigestLinks(),
    *,
    budget: int = DIGEST_BUDGET,
) -> Card:
    """One page of a section, starting at ``request.offset``, with a button for the next page."""
    title = SECTION_TITLES[request.section][0]
    card = cards.fill(
        cards.load_template("digest_more"),
        {
            "title": f"{title} — {month_label(digest.month)}",
            "subtitle": "",
            "next_title": "Show the next ones",
            "report_url": links.report_url or "",
        },
    )
    elements = section_elements(digest, request.section)
    start = min(request.offset, len(elements))
    # Room for the subtitle, written once the count is known.
    count, _ = _fit(
        cards.find(card, "items")["items"],
        elements[start:],
        cards.card_size_bytes(card) + 200,
        budget,
    )
    cards.find(card, "subtitle")["text"] = (
        f"{digest.organisation} · {start + 1:,}–{start + count:,} of {len(elements):,}"
        if count
        else f"{digest.organisation} · none"
    )
    remove = ["empty"] if count else ["items"]
    if start + count < len(elements):
        cards.set_action_data(
            cards.find(card, "next"),
            MORE_VERB,
            _more_data(digest.month, request.section, start + count),
        )
    else:
        remove.append("next")
    if not links.report_url:
        remove.append("open_report")
    if "next" in remove and "open_report" in remove:
        remove = [r for r in remove if r not in ("next", "open_report")] + ["more_actions"]
    cards.remove(card, remove)
    return card


def parse_more_request(data: Mapping[str, object]) -> MoreRequest | None:
    """The ``digest.more`` button's data, checked: clients can be bypassed."""
    month, section, offset = data.get("month"), data.get("section"), data.get("offset", 0)
    if not (isinstance(month, str) and MONTH.fullmatch(month)) or section not in SECTIONS:
        return None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 1_000_000:
        return None
    return MoreRequest(month, str(section), offset)


def section_elements(digest: Digest, section: str) -> list[dict[str, Any]]:
    if section == "concerns":
        return [items.concern_element(c, digest.as_of) for c in digest.concerns]
    if section == "completions":
        return [items.completion_element(c) for c in digest.completions]
    kind = "overdue" if digest.past_deadline else "waiting"
    return (
        [items.person_element(kind, n) for n in digest.overdue]
        + [items.person_element("unreachable", n) for n in digest.unreachable]
        + [items.person_element("away", n) for n in digest.away]
    )


def _fit(holder: list[Any], elements: list[dict[str, Any]], size: int, budget: int) -> tuple[int, int]:
    """Append elements while the card stays within budget; returns (how many, new size).

    Sizes add up exactly: json.dumps puts ", " between list items (4 bytes in UTF-16).
    """
    count = 0
    for element in elements:
        extra = len(json.dumps(element, ensure_ascii=False).encode("utf-16-le")) + 4
        if size + extra > budget:
            break
        holder.append(element)
        size += extra
        count += 1
    return count, size


def _finish(card: Card, digest: Digest, links: DigestLinks, hidden: dict[str, int]) -> None:
    remove = [s + "_section" for s in SECTIONS if not cards.find(card, s)["items"]]
    remove += [] if digest.metrics else ["metrics_section"]
    remove += [] if digest.themes else ["themes_section"]
    remove += [] if cards.find(card, "response")["facts"] else ["response"]
    notice = _notice(hidden)
    if notice:
        cards.find(card, "truncated_text")["text"] = notice
    else:
        remove.append("truncated")
    first_hidden = next((s for s in SECTIONS if hidden[s]), None)
    if first_hidden:
        more = cards.find(card, "more")
        more["title"] = more["fallback"]["title"] = SECTION_TITLES[first_hidden][1]
        cards.set_action_data(more, MORE_VERB, _more_data(digest.month, first_hidden, 0))
    else:
        remove.append("more")
    if not links.report_url:
        remove.append("open_report")
    if "more" in remove and "open_report" in remove:
        remove = [r for r in remove if r not in ("more", "open_report")] + ["more_actions"]
    cards.remove(card, remove)


def _notice(hidden: dict[str, int]) -> str:
    words = {
        "concerns": "red or amber action",
        "people": "person",
        "completions": "completion",
        "themes": "theme",
        "measures": "measure",
    }
    parts = [f"{n:,} more {words[key] if n == 1 else _plural(words[key])}" for key, n in hidden.items() if n]
    if not parts:
        return ""
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    verb = "is" if len(parts) == 1 and parts[0].startswith("1 ") else "are"
    return f"To keep this message small, {listed} {verb} not shown. Open the full report for everything."


def _plural(noun: str) -> str:
    return "people" if noun == "person" else noun + "s"


def _more_data(month: str, section: str, offset: int) -> dict[str, Any]:
    return {"month": month, "section": section, "offset": offset}


def _headline(digest: Digest) -> str:
    counts = dict(digest.totals)
    red, amber = counts.get(Rag.RED, 0), counts.get(Rag.AMBER, 0)
    parts = []
    if digest.response is not None:
        rate = digest.response
        share = f" ({percent(rate.share)})" if rate.share is not None else ""
        parts.append(f"**{rate.actions_answered:,} of {rate.actions_asked:,}** actions updated{share}")
    else:
        parts.append(f"No progress round was opened for {month_label(digest.month)}")
    parts.append(f"**{len(digest.completions):,}** completed")
    parts.append(f"**{red:,}** red, **{amber:,}** amber")
    return " · ".join(parts)


def _response_facts(digest: Digest) -> list[dict[str, str]]:
    rate = digest.response
    if rate is None or digest.deadline is None:
        return []
    deadline = long_date(digest.deadline) + (" (passed)" if digest.past_deadline else "")
    return [
        cards.fact("Actions updated", f"{rate.actions_answered:,} of {rate.actions_asked:,}"),
        cards.fact("Owners who answered in full", f"{rate.people_answered:,} of {rate.people_asked:,}"),
        cards.fact("Deadline", deadline),
    ]
