"""Chat commands: away/back, delegate, the channel summary; and the pure command parser."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dialogs.commands import CommandName, parse_command
from storage.models import ActionDelegate, AuditEntry, ImprovementAction, Person
from tests import activities
from tests.bot.test_checkin import OWNER, answer, invoke, plan_with_people, sender, updates
from tests.cards import texts
from tests.conftest import BotServer

__all__ = ["plan_with_people"]  # the fixture, shared with the check-in tests


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("help", CommandName.HELP),
        ("  Help ", CommandName.HELP),
        ("my actions", CommandName.MY_ACTIONS),
        ("<at>CQC Improvement</at> status", CommandName.STATUS),
        ("back", CommandName.BACK),
        ("away until 2026-12-31", CommandName.AWAY),
        ("delegate wwp-01 to A.B@x.gov.uk", CommandName.DELEGATE),
        ("post digest", CommandName.POST_DIGEST),
        ("figures", CommandName.FIGURES),
        ("blah", CommandName.UNKNOWN),
    ],
)
def test_commands_are_recognised(text: str, name: CommandName) -> None:
    assert parse_command(text).name is name


def test_command_arguments_are_parsed_or_explained() -> None:
    assert parse_command("away until 2026-12-31").away_until == date(2026, 12, 31)
    assert parse_command("away until 31/12/2026").away_until == date(2026, 12, 31)
    assert "YYYY-MM-DD" in (parse_command("away until next week").problem or "")
    delegate = parse_command("delegate wwp-01 to A.B@x.gov.uk")
    assert (delegate.action_ref, delegate.email) == ("WWP-01", "a.b@x.gov.uk")
    assert parse_command("delegate WWP-01 to nobody").problem


async def say(bot_server: BotServer, who: str, text: str) -> str:
    message = activities.personal_message(bot_server.service_url, text, sender(who))
    await bot_server.post(message)
    return bot_server.connector.sent(message["conversation"]["id"])[-1]["text"]


async def test_away_and_back(bot_server: BotServer, plan_with_people: None) -> None:
    reply = await say(bot_server, OWNER, "away until 2026-12-18")
    assert "away until 18 December 2026" in reply
    async with bot_server.runtime.sessions() as session:
        rachel = await session.scalar(select(Person).where(Person.email == OWNER))
        assert rachel is not None and rachel.away_until == date(2026, 12, 18)
    assert "already passed" in await say(bot_server, OWNER, "away until 2026-01-01")
    assert "Welcome back!" in await say(bot_server, OWNER, "back")
    async with bot_server.runtime.sessions() as session:
        rachel = await session.scalar(select(Person).where(Person.email == OWNER))
        assert rachel is not None and rachel.away_until is None
        changes = (await session.scalars(select(AuditEntry.change).where(AuditEntry.entity == "person"))).all()
        assert "away" in changes and "back" in changes


async def test_owner_can_delegate_and_the_delegate_can_then_update(
    bot_server: BotServer, plan_with_people: None
) -> None:
    tom = "tom.fielding@halton.example"
    body, _ = await invoke(bot_server, tom, "progress.submit", answer())
    assert "can't update this action" in texts(body["value"])

    reply = await say(bot_server, OWNER, f"delegate WWP-01 to {tom}")
    assert "Tom Fielding can now update WWP-01" in reply
    body, _ = await invoke(bot_server, tom, "progress.submit", answer())
    assert "Progress recorded" in texts(body["value"])
    assert len(await updates(bot_server)) == 1


async def test_delegation_is_refused_for_others_and_unknown_people(
    bot_server: BotServer, plan_with_people: None
) -> None:
    assert "Only Rachel Ahmed" in await say(
        bot_server, "tom.fielding@halton.example", "delegate WWP-01 to tom.fielding@halton.example"
    )
    assert "isn't in the improvement plan" in await say(bot_server, OWNER, "delegate WWP-01 to x@elsewhere.example")
    assert "no action XYZ-9" in await say(bot_server, OWNER, "delegate XYZ-9 to tom.fielding@halton.example")
    async with bot_server.runtime.sessions() as session:
        action = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == "WWP-01"))
        assert action is not None
        links = (await session.scalars(select(ActionDelegate).where(ActionDelegate.action_id == action.id))).all()
        assert len(links) == 1  # only the plan's own delegate


async def test_channel_status_posts_a_plan_summary(bot_server: BotServer, example_plan: None) -> None:
    message = activities.channel_message(bot_server.service_url, "status")
    await bot_server.post(message)
    [reply] = bot_server.connector.sent(message["conversation"]["id"])
    assert "Working with People" in reply["text"] and "Leadership" in reply["text"]
    assert "of 27 actions complete" in reply["text"]


async def test_someone_not_in_the_plan_is_told_so(bot_server: BotServer, example_plan: None) -> None:
    stranger = activities.user("29:x", "Stranger", aad="00000000-0000-4000-8000-0000000000ff")
    message = activities.personal_message(bot_server.service_url, "my actions", stranger)
    await bot_server.post(message)
    assert "can't find you" in bot_server.connector.sent(message["conversation"]["id"])[-1]["text"]


@pytest.mark.parametrize(
    ("text", "name", "month"),
    [
        ("digest 2027-01", CommandName.DIGEST, "2027-01"),
        ("digest January 2027", CommandName.DIGEST, "2027-01"),
        ("Digest for sept 2026", CommandName.DIGEST, "2026-09"),
        ("post digest Mar 2026", CommandName.POST_DIGEST, "2026-03"),
    ],
)
def test_digest_takes_a_month(text: str, name: CommandName, month: str) -> None:
    command = parse_command(text)
    assert (command.name, command.month, command.problem) == (name, month, None)


def test_digest_with_a_month_it_cannot_read_says_how() -> None:
    command = parse_command("post digest next week")
    assert command.name is CommandName.POST_DIGEST and command.month is None
    assert "January 2027" in (command.problem or "")
    assert parse_command("digest ma 2026").problem  # too short to be a month's name
    assert parse_command("digest 9999-12").problem  # no plan runs then (and its month has no end)
