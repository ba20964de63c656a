"""What is wrong with a value, in words: dates explained, long values cut, schema errors made plain."""

from __future__ import annotations

import calendar
import re
from typing import Any, cast

from jsonschema.exceptions import ValidationError

SHOWN_CHARACTERS = 60
_STRICT = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # as Excel writes dates in a UK-English CSV
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping of fields",
    "boolean": "true or false",
    "null": "empty",
}


def shown(value: Any) -> str:
    """A value as the message quotes it, cut so a huge cell does not flood the terminal."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= SHOWN_CHARACTERS else f"{text[: SHOWN_CHARACTERS - 1]}… ({len(text):,} characters)"


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from YYYY-MM-DD or DD/MM/YYYY text, not yet checked against the calendar."""
    if match := _ISO.fullmatch(text.strip()):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.fullmatch(text.strip()):
        day, month, year = match.groups()
    else:
        return None
    return int(year), int(month), int(day)


def date_problem(text: str) -> str | None:
    """Why ``text`` is not a calendar date ("2026-02-30: February 2026 has 28 days"), or None."""
    parts = date_parts(text)
    if parts is None:
        return f"{shown(text)} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31"
    year, month, day = parts
    if not 1 <= month <= 12:
        return f"{text.strip()}: there is no month {month} (months are 1 to 12)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{text.strip()}: {calendar.month_name[month]} {year} has {days} days"
    if not _STRICT.fullmatch(text):
        return f"{shown(text)}: write dates as YYYY-MM-DD, here {year:04d}-{month:02d}-{day:02d}"
    return None


def _is_date_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("format") == "date"


def missing_field(error: ValidationError) -> str | None:
    """The property a `required` error is about."""
    match = re.match(r"'(.+?)' is a required property", error.message)
    return match.group(1) if match else None


def unknown_fields(error: ValidationError) -> list[str]:
    return re.findall(r"'([^']+)'", error.message.split("(")[-1])


def message(error: ValidationError) -> str:
    """The reason, in words, that ``error``'s value is refused."""
    instance, rule, limit = cast(Any, error.instance), error.validator, cast(Any, error.validator_value)
    if _is_date_schema(error.schema) and isinstance(instance, str):
        return date_problem(instance) or f"{shown(instance)} is not a date"
    if rule == "anyOf":
        if any(_is_date_schema(e.schema) for e in error.context or []):
            problem = date_problem(instance) if isinstance(instance, str) else None
            return problem or f"{shown(instance)} is not a date (YYYY-MM-DD)"
        return _any_of(error)
    if rule == "required":
        return "missing (required)"
    if rule == "additionalProperties":
        return "unknown field"
    if rule == "enum" and isinstance(limit, list):
        return f"{shown(instance)} is not one of {', '.join(map(str, limit))}"
    if rule == "pattern":
        return f"{shown(instance)} is not in the expected form"
    if rule == "type":
        wanted = [limit] if isinstance(limit, str) else list(limit)
        return f"{shown(instance)} is not {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}"
    if rule == "minLength":
        return "must not be empty" if limit == 1 else f"must be at least {limit} characters"
    if rule == "maxLength":
        return f"is too long: {len(instance):,} characters, at most {limit:,}"
    if rule in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}:
        words = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }
        return f"{shown(instance)} is out of range: it must be {words[rule]} {limit}"
    if rule == "minItems":
        return f"needs at least {limit} {'entry' if limit == 1 else 'entries'}"
    if rule == "uniqueItems":
        return "lists the same value twice"
    return error.message[:200]


def _any_of(error: ValidationError) -> str:
    """Of the alternatives, the one the value was nearest to: a text value is judged as text."""
    for sub in error.context or []:
        if sub.validator != "type":
            return message(sub)
    return f"{shown(error.instance)} is not valid here"
