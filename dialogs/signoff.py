"""The `sign off plan` card: what the chair is signing (counts by theme, the actions, the targets) and
the button that signs it. Pure: the snapshot in, card JSON out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs import cards
from dialogs.cards import Card
from dialogs.formatting import number

CONFIRM_VERB = "signoff.confirm"
ACTIONS_SHOWN = 60  # a larger plan's list is cut, with the count; the report lists every action
REQUIREMENT_CHARS = 90


def build_signoff_card(
    organisation: str, snapshot: Mapping[str, Any], fingerprint: str, *, previous: str = "", notice: str = ""
) -> Card:
    actions = snapshot["actions"]
    shown = actions[:ACTIONS_SHOWN]
    lines = [
        f"- **{a['ref']}**{' (stretch)' if a['stretch'] else ''} {cards.shorten(a['requirement'], REQUIREMENT_CHARS)}"
        f" — {a['owner']}, due {a['due'] or 'no date'}"
        for a in shown
    ]
    if len(actions) > len(shown):
        lines.append(f"- and {len(actions) - len(shown)} more (see `cqcbot plan show`)")
    card = cards.fill(
        cards.load_template("signoff"),
        {
            "organisation": organisation,
            "actions": "\n".join(lines) or "No actions.",
            "previous": previous,
            "notice": notice,
        },
    )
    cards.find(card, "themes")["facts"] = [cards.fact(t["name"], str(t["actions"])) for t in snapshot["themes"]]
    metrics = [cards.fact(m["name"], f"{number(m['target'])} by {m['target_date']}") for m in snapshot["metrics"]]
    cards.find(card, "metrics")["facts"] = metrics
    cards.remove(card, ["no_metrics"] if metrics else ["metrics"])
    cards.remove(card, [key for key, text in (("previous", previous), ("notice", notice)) if not text])
    cards.set_action_data(cards.find(card, "sign"), CONFIRM_VERB, {"fingerprint": fingerprint})
    return card


def parse_fingerprint(data: Mapping[str, object]) -> str | None:
    value = data.get("fingerprint")
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def build_signoff_receipt(summary: str) -> Card:
    return cards.fill(cards.load_template("signoff_receipt"), {"summary": summary})
