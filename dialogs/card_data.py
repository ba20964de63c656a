"""What a card sends back must have the types the card sent: a forged or mangled button is refused.

A card writes its ids (round, card, version) into its button's data; a client can change them on
the way back. A card id sent as a number would dodge the double-click guard, a round id as a string
would pass unnoticed, so each key is checked against the type the card wrote, before anything is
read or stored.
"""

from __future__ import annotations

from collections.abc import Mapping

# key -> (the JSON type the card wrote, whether every card of that kind sends it)
CardDataSpec = Mapping[str, tuple[type, bool]]

PROGRESS_SUBMIT: CardDataSpec = {
    "cycle_id": (int, True),
    "action_ref": (str, True),
    "card_id": (str, False),
    "card_version": (str, False),
}
PROGRESS_EDIT: CardDataSpec = {"cycle_id": (int, True), "action_ref": (str, True)}
FIGURES_SUBMIT: CardDataSpec = {
    "period": (str, True),
    "metrics": (list, True),
    "card_id": (str, False),
    "card_version": (str, False),
    "checked": (dict, False),
}
FIGURES_EDIT: CardDataSpec = {"period": (str, True), "metrics": (list, True)}

FORGED_TITLE = "This card can't be used"
FORGED_MESSAGE = "Its details were changed on the way, so nothing was saved. Type **my actions** for a fresh card."


def wrong_types(data: Mapping[str, object], spec: CardDataSpec) -> str | None:
    """None when every key the card wrote is there with its type; else the first key that is not."""
    for key, (kind, required) in spec.items():
        value = data.get(key)
        if value is None:
            if required:
                return key
            continue
        # JSON true/false are Python ints too, but no card writes a boolean id.
        if isinstance(value, bool) or not isinstance(value, kind):
            return key
    return None
