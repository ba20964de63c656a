"""Recognising what someone typed to the bot. Pure: matching is kept apart from acting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.months import parse_month


class CommandName(StrEnum):
    HELP = "help"
    MY_ACTIONS = "my actions"
    STATUS = "status"
    FIGURES = "figures"
    AWAY = "away"
    BACK = "back"
    DELEGATE = "delegate"
    DIGEST = "digest"
    POST_DIGEST = "post digest"
    RESEND = "resend"
    ASSESS = "assess"
    SIGN_OFF = "sign off plan"
    EVIDENCE_ADD = "evidence add"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    name: CommandName
    text: str
    away_until: date | None = None
    action_ref: str | None = None
    email: str | None = None
    who: str | None = None  # "resend to NAME": a name or an email
    problem: str | None = None  # set when the command was recognised but its argument was not
    argument: str | None = None  # the rest of the line, for commands that take free text (assess STATEMENT)
    month: str | None = None  # "digest January 2027": the month asked for, as YYYY-MM


_MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
_AWAY = re.compile(r"^away(?:\s+until)?\s+(?P<date>.+)$", re.IGNORECASE)
_UK_DATE = re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$")
_DELEGATE = re.compile(r"^delegate\s+(?P<ref>\S+)\s+to\s+(?P<email>\S+)$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_RESEND = re.compile(r"^resend(?:\s+to)?\s+(?P<who>.+)$", re.IGNORECASE)
_DIGEST = re.compile(r"^(?P<post>post\s+)?digest\s+(?:for\s+)?(?P<month>.+)$", re.IGNORECASE)
_ASSESS = re.compile(r"^assess\s+(?P<statement>.+)$", re.IGNORECASE)
_WITH_ARGUMENTS = {CommandName.AWAY, CommandName.DELEGATE, CommandName.RESEND, CommandName.UNKNOWN}
_SIMPLE = {c.value: c for c in CommandName if c not in _WITH_ARGUMENTS}
_ALIASES = {"?": CommandName.HELP, "hi": CommandName.HELP, "hello": CommandName.HELP, "actions": CommandName.MY_ACTIONS}


def clean_text(text: str | None) -> str:
    """The words typed, without @mentions, HTML entities Teams adds, or extra spaces."""
    without_mentions = _MENTION.sub(" ", text or "").replace("&nbsp;", " ")
    return " ".join(without_mentions.split()).strip()


def parse_command(text: str | None) -> Command:
    words = clean_text(text)
    lowered = words.lower().rstrip(".!")
    if lowered in _SIMPLE:
        return Command(_SIMPLE[lowered], words)
    if lowered in _ALIASES:
        return Command(_ALIASES[lowered], words)
    if match := _DIGEST.match(words):
        name = CommandName.POST_DIGEST if match["post"] else CommandName.DIGEST
        try:
            return Command(name, words, month=parse_month(match["month"]))
        except ValueError:
            return Command(
                name, words, problem=f"Please give the month as 2027-01 or January 2027, e.g. {name} January 2027."
            )
    if match := _ASSESS.match(words):
        return Command(CommandName.ASSESS, words, argument=match["statement"].strip())
    if match := _AWAY.match(words):
        try:
            return Command(CommandName.AWAY, words, away_until=_date(match["date"].strip()))
        except ValueError:
            return Command(
                CommandName.AWAY, words, problem="Please give the date as YYYY-MM-DD, e.g. away until 2026-12-31."
            )
    if lowered.startswith("away"):
        return Command(CommandName.AWAY, words, problem="Please say until when, e.g. away until 2026-12-31.")
    if match := _DELEGATE.match(words):
        email = match["email"].lower()
        if not _EMAIL.match(email):
            return Command(CommandName.DELEGATE, words, problem=f"{match['email']} is not an email address.")
        return Command(CommandName.DELEGATE, words, action_ref=match["ref"].upper(), email=email)
    if lowered.startswith("delegate"):
        return Command(
            CommandName.DELEGATE, words, problem="Please write it as: delegate WWP-01 to name@council.gov.uk"
        )
    if match := _RESEND.match(words):
        return Command(CommandName.RESEND, words, who=match["who"].strip())
    if lowered == "resend":
        return Command(CommandName.RESEND, words, problem="Please say who to, e.g. resend to Rachel Ahmed.")
    return Command(CommandName.UNKNOWN, words)


def _date(text: str) -> date:
    """ISO (2026-12-31) or the UK's day-first form (31/12/2026)."""
    if match := _UK_DATE.match(text):
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    return date.fromisoformat(text)
