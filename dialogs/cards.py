"""Adaptive Card helpers: loading templates, filling the parsed tree, reading inputs back.

Templates live in ``dialogs/cards/*.json``. Two conventions, both applied to the parsed tree so user
text can never break the JSON or be read as template syntax:

* ``{{name}}`` inside a string value is a placeholder, replaced in one pass by :func:`fill`;
  inserted text is not scanned again.
* An element's ``id`` is an anchor the builder uses to change or drop that element
  (:func:`find`, :func:`remove`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

# Re-exported while bot/services/checkin.py still imports it from here; dialogs/formatting.py is its home.

Card = dict[str, Any]

# Teams counts message size in UTF-16; 28 KB keeps a card quick to render on a phone and under the
# smallest limit Teams documents (incoming webhooks), well inside the 100 KB bot message limit.
MAX_CARD_BYTES = 28 * 1024

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # what Input.Date sends, and all it accepts as value


class TemplateError(LookupError):
    """A template and its builder disagree (a missing placeholder value or anchor id)."""


@functools.cache
def _template_text(name: str) -> str:
    return resources.files("dialogs").joinpath("cards", f"{name}.json").read_text(encoding="utf-8")


def template_names() -> list[str]:
    """Every card template shipped in ``dialogs/cards``, without the ``.json`` suffix."""
    folder = resources.files("dialogs").joinpath("cards")
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def load_template(name: str) -> Card:
    """A fresh, mutable copy of the named template's tree."""
    card = json.loads(_template_text(name))
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise TemplateError(f"{name}.json is not an Adaptive Card")
    return card


def fill(node: Any, values: Mapping[str, str]) -> Any:
    """Replace every ``{{name}}`` in the tree's strings, in place; returns the node for chaining."""

    def substitute(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            try:
                return values[match.group(1)]
            except KeyError:
                raise TemplateError(f"no value for placeholder {match.group()}") from None

        return _PLACEHOLDER.sub(one, text)

    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = substitute(value) if isinstance(value, str) else fill(value, values)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            node[index] = substitute(value) if isinstance(value, str) else fill(value, values)
    return node


def _walk(node: Any) -> Iterator[tuple[list[Any], int, dict[str, Any]]]:
    """Every object held in a list (elements, actions, facts), with that list and its index."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict):
                yield node, index, item
            yield from _walk(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)


def find(card: Card, element_id: str) -> dict[str, Any]:
    """The element or action with this ``id``."""
    for _, _, item in _walk(card):
        if item.get("id") == element_id:
            return item
    raise TemplateError(f"no element with id {element_id!r}")


def remove(card: Card, element_ids: Iterable[str]) -> None:
    """Drop the elements with these ids (each must exist, so a renamed anchor fails loudly)."""
    for element_id in element_ids:
        for holder, index, item in _walk(card):
            if item.get("id") == element_id:
                del holder[index]
                break
        else:
            raise TemplateError(f"no element with id {element_id!r}")


def set_input_value(element: dict[str, Any], text: str) -> None:
    """Give an input its value, unless a client would reject it (the error message says why)."""
    choices = {choice["value"] for choice in element.get("choices", ())}
    if element["type"] == "Input.ChoiceSet" and text not in choices:
        return
    if element["type"] == "Input.Date" and not ISO_DATE.fullmatch(text):
        return
    element["value"] = text


def card_size_bytes(card: Card) -> int:
    """The card's size as Teams counts it: UTF-16 bytes of its JSON.

    Serialised with json's default separators, a little larger than what goes over the wire, so the
    budget errs on the safe side.
    """
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


def fact(title: str, value: str) -> dict[str, str]:
    return {"title": title, "value": value}


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.7:  # a long unbroken word (a link) is cut where it stands
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def set_action_data(action: dict[str, Any], verb: str, data: Mapping[str, Any]) -> None:
    """Give an Action.Execute and its Action.Submit fallback the same data.

    Action.Submit has no verb, so older clients carry it inside data for the bot to route on.
    """
    action["data"] = dict(data)
    action["fallback"]["data"] = {**data, "verb": verb}


def markdown_link(url: str) -> str:
    """A Markdown link whose text cannot be read as Markdown and whose target cannot end early.

    Long links are labelled host/…/last-part: the file name is what people recognise.
    """
    label = re.sub(r"[^\w./:%?=&#~+,-]|_", " ", url.split("://", 1)[-1]).strip()
    if len(label) > 60:
        host, _, rest = label.partition("/")
        label = f"{host}/…/{shorten(rest.rstrip('/').rsplit('/', 1)[-1], 40)}"
    return f"[{label}]({url.replace('(', '%28').replace(')', '%29')})"


def quote(text: str) -> str:
    """User text echoed in an error message, cut short so the message stays readable."""
    return f"“{shorten(text, 60)}”"


def too_long(what: str, limit: int, length: int) -> str:
    return f"Please shorten {what} to {limit:,} characters or fewer — it is {length:,} now."


def parse_input_date(raw: str) -> date | None:
    """An Input.Date value: None when blank; ValueError unless strictly YYYY-MM-DD.

    ``date.fromisoformat`` alone would also take "20260331" or "2026-W13", which no card sends.
    """
    raw = raw.strip()
    if not raw:
        return None
    if not ISO_DATE.fullmatch(raw):
        raise ValueError(f"not an ISO date: {raw!r}")
    return date.fromisoformat(raw)


def parse_links(raw: str, max_links: int, max_chars: int) -> tuple[tuple[str, ...], str | None]:
    """Links typed one per line: (links, None), or ((), a message saying what to fix)."""
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > max_links:
        return (), (
            f"Please give no more than {max_links} links (you gave {len(lines)}) — link to a folder if there are more."
        )
    for line in lines:
        try:
            parts = urlsplit(line)
            scheme, host = parts.scheme.lower(), parts.hostname
        except ValueError:  # e.g. an unclosed "[" in the host
            scheme, host = "", None
        if scheme not in ("http", "https"):
            return (), f"{quote(line)} is not a web link. Each line should start with https://."
        if not host or any(char.isspace() for char in line):
            return (), f"{quote(line)} is not a complete web address. Please paste the full link."
        if len(line) > max_chars:
            return (), f"{quote(line)} is too long ({max_chars} characters at most)."
    return tuple(lines), None
