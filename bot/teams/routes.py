"""What the bot does with a message or a card button, as data.

Two tables: the chat commands (with where each is offered) and the card verbs. Matching is pure and
synchronous, so routing is tested without I/O; the activity handler then runs the handler a route names
with the input already parsed. The verbs are the constants the card builders in dialogs/ write into the
cards, so a card and its route cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

from dialogs import digest, digest_post, evidence, figures, progress, readiness, signoff
from dialogs.commands import Command, CommandName, parse_command


class CommandHandler(Enum):
    """What the handler does with a typed message."""

    HELP = auto()
    NOT_UNDERSTOOD = auto()  # help, naming what was not understood (or is not offered in this chat)
    MY_ACTIONS = auto()
    MY_STATUS = auto()
    CHANNEL_STATUS = auto()
    AWAY = auto()
    BACK = auto()
    FIGURES = auto()
    DIGEST_PREVIEW = auto()
    DIGEST_POST_CONFIRMATION = auto()
    RESEND = auto()
    DELEGATE = auto()
    ASSESS = auto()
    SIGN_OFF = auto()
    EVIDENCE_ADD = auto()


class CardHandler(Enum):
    """Which service method answers a card button."""

    PROGRESS_EDIT = auto()
    PROGRESS_SUBMIT = auto()
    FIGURES_EDIT = auto()
    FIGURES_SUBMIT = auto()
    DIGEST_MORE = auto()
    DIGEST_POST = auto()
    ASSESS_SUBMIT = auto()
    SIGN_OFF_CONFIRM = auto()
    EVIDENCE_SUBMIT = auto()
    UNKNOWN = auto()  # a verb no card of ours sends: refused


@dataclass(frozen=True)
class ChatCommand:
    name: CommandName
    personal: CommandHandler  # in a personal chat
    elsewhere: CommandHandler | None = None  # in a channel or group chat; None: personal only, answered with help


@dataclass(frozen=True)
class CardVerb:
    verb: str
    handler: CardHandler


CHAT_COMMANDS: tuple[ChatCommand, ...] = (
    ChatCommand(CommandName.HELP, CommandHandler.HELP, elsewhere=CommandHandler.HELP),
    ChatCommand(CommandName.MY_ACTIONS, CommandHandler.MY_ACTIONS),
    ChatCommand(CommandName.STATUS, CommandHandler.MY_STATUS, elsewhere=CommandHandler.CHANNEL_STATUS),
    ChatCommand(CommandName.AWAY, CommandHandler.AWAY),
    ChatCommand(CommandName.BACK, CommandHandler.BACK),
    ChatCommand(CommandName.FIGURES, CommandHandler.FIGURES),
    ChatCommand(CommandName.DIGEST, CommandHandler.DIGEST_PREVIEW),
    ChatCommand(CommandName.POST_DIGEST, CommandHandler.DIGEST_POST_CONFIRMATION),
    ChatCommand(CommandName.DELEGATE, CommandHandler.DELEGATE),
    ChatCommand(CommandName.RESEND, CommandHandler.RESEND),
    ChatCommand(CommandName.ASSESS, CommandHandler.ASSESS),
    ChatCommand(CommandName.SIGN_OFF, CommandHandler.SIGN_OFF),
    ChatCommand(CommandName.EVIDENCE_ADD, CommandHandler.EVIDENCE_ADD),
)

CARD_VERBS: tuple[CardVerb, ...] = (
    CardVerb(progress.EDIT_VERB, CardHandler.PROGRESS_EDIT),
    CardVerb(progress.SUBMIT_VERB, CardHandler.PROGRESS_SUBMIT),
    CardVerb(figures.EDIT_VERB, CardHandler.FIGURES_EDIT),
    CardVerb(figures.SUBMIT_VERB, CardHandler.FIGURES_SUBMIT),
    CardVerb(digest.MORE_VERB, CardHandler.DIGEST_MORE),
    CardVerb(digest_post.POST_VERB, CardHandler.DIGEST_POST),
    CardVerb(readiness.SUBMIT_VERB, CardHandler.ASSESS_SUBMIT),
    CardVerb(signoff.CONFIRM_VERB, CardHandler.SIGN_OFF_CONFIRM),
    CardVerb(evidence.SUBMIT_VERB, CardHandler.EVIDENCE_SUBMIT),
)

_BY_NAME = {row.name: row for row in CHAT_COMMANDS}
_BY_VERB = {row.verb: row.handler for row in CARD_VERBS}


@dataclass(frozen=True)
class CommandRoute:
    handler: CommandHandler
    command: Command
    personal: bool


@dataclass(frozen=True)
class CardRoute:
    handler: CardHandler
    verb: str
    data: Mapping[str, Any]  # what the card sent with its button


MessageRoute = CommandRoute | CardRoute


def match_command(text: str | None, *, personal: bool) -> CommandRoute:
    """A typed command; anything not understood, or offered only in personal chats, gets help."""
    command = parse_command(text)
    row = _BY_NAME.get(command.name)
    handler = (row.personal if personal else row.elsewhere) if row else None
    return CommandRoute(handler or CommandHandler.NOT_UNDERSTOOD, command, personal)


def match_card(verb: object, data: Mapping[str, Any]) -> CardRoute:
    handler = _BY_VERB.get(verb) if isinstance(verb, str) else None
    return CardRoute(handler or CardHandler.UNKNOWN, str(verb), data)


def match_message(text: str | None, *, personal: bool, value: object = None) -> MessageRoute:
    """A message is a command, or a card button pressed in an older client (Action.Submit sends the
    card's data, with its verb, as the message's value)."""
    if isinstance(value, dict) and value.get("verb"):
        return match_card(value["verb"], value)
    return match_command(text, personal=personal)


def match_invoke(value: object) -> CardRoute | None:
    """An adaptiveCard/action invoke's button; None when it is not an Action.Execute with a verb."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return None
    verb, data = action.get("verb"), action.get("data")
    if not isinstance(verb, str):
        return None
    return match_card(verb, data if isinstance(data, dict) else {})
