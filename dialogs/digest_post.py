"""`post digest`: the chair confirms before the month's digest goes to the whole group, and sees
what happened after.

Posting cannot be undone and happens once a month (the outbox keys make a second post a no-op), so
a chair who types the command early must see that not every owner has answered yet before the
group's copy goes out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from dialogs import cards
from dialogs.formatting import long_date, month_label
from domain.digest_model import ResponseRate

Card = cards.Card
POST_VERB = "digest.post"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class PostPlan:
    """What `post digest` would do for a month, as the chair should see it before saying yes."""

    month: str  # YYYY-MM
    today: date
    deadline: date | None  # the round's progress deadline; None when no round was opened
    response: ResponseRate | None
    to_channel: bool  # False when the bot is not in the group's channel yet
    already_sent: bool  # every recipient already has this month's digest


def build_post_confirmation(plan: PostPlan) -> Card:
    """Ask before posting; say why waiting may be better. Already sent: say so, offer no button."""
    label = month_label(plan.month)
    card = cards.load_template("digest_post")
    if plan.already_sent:
        values = {
            "title": f"The {label} digest was already posted",
            "message": f"It went to {_where_to(plan.to_channel)}. Each recipient gets a month's digest once, so "
            "posting it again would send nothing. Type **digest** to see it as it stands now.",
        }
        cards.remove(card, ["facts", "warning"])
        del card["actions"]
        return cards.fill(card, values)
    warning = _warning(plan)
    cards.fill(
        card,
        {
            "title": f"Post the {label} digest now?",
            "message": f"It goes to {_where_to(plan.to_channel)}, once: the scheduled post for {label} will not "
            "be sent again. Type **digest** first to preview it.",
            "warning": warning,
        },
    )
    cards.set_action_data(cards.find(card, "post"), POST_VERB, {"month": plan.month})
    cards.find(card, "facts")["facts"] = _facts(plan)
    if not warning:
        cards.remove(card, ["warning"])
    return card


def build_post_result(month: str, *, to_channel: bool, chairs: int, queued: int) -> Card:
    """After the button: queued now, already sent, or nobody to send to."""
    label = month_label(month)
    card = cards.load_template("digest_post")
    del card["actions"]
    cards.remove(card, ["facts", "warning"])
    if not to_channel and not chairs:
        title, message = (
            "Nobody to send the digest to",
            "I'm not in the group's channel and the plan names no chair. Add me to the team, then try again.",
        )
    elif queued == 0:
        title = f"Digest for {label}"
        message = f"The {label} digest was already sent to {_where_to(to_channel)}, so nothing was sent again."
    else:
        title = f"Digest for {label}"
        message = f"The {label} digest is on its way to {_where_to(to_channel)}."
    return cards.fill(card, {"title": title, "message": message})


def parse_post_month(data: Mapping[str, object]) -> str | None:
    """The month the confirmation's button names, or None when the data is not what we sent."""
    month = data.get("month")
    return month if isinstance(month, str) and _MONTH.fullmatch(month) else None


def _where_to(to_channel: bool) -> str:
    if to_channel:
        return "the group's channel as a new thread, and to the chair"
    return "the chair (I'm not in the group's channel yet)"


def _facts(plan: PostPlan) -> list[dict[str, str]]:
    facts = []
    if plan.response is not None:
        rate = plan.response
        facts.append(cards.fact("Actions updated", f"{rate.actions_answered} of {rate.actions_asked}"))
        facts.append(cards.fact("Owners who answered", f"{rate.people_answered} of {rate.people_asked}"))
    if plan.deadline is not None:
        facts.append(cards.fact("Progress deadline", long_date(plan.deadline)))
    return facts


def _warning(plan: PostPlan) -> str:
    if plan.response is None:
        return "No progress round was opened this month, so the digest has no answers to report."
    waiting = plan.response.actions_asked - plan.response.actions_answered
    if not waiting:
        return ""
    actions = f"{waiting} action{'s' if waiting != 1 else ''}"
    if plan.deadline is not None and plan.today <= plan.deadline:
        return (
            f"The deadline has not passed and {actions} {'are' if waiting != 1 else 'is'} still "
            "waiting for an update. Answers that come in after you post will not be in the group's copy."
        )
    return f"{actions} had no update by the deadline; the digest lists their owners as overdue."
