"""The bot over HTTP: real activities in, real Bot Connector calls out (at the fake)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ConversationRef, Person
from tests import activities
from tests.conftest import BotServer

OWNER_AAD = "0f3c2d4e-1111-4a5b-9c8d-000000000001"


async def test_help_in_a_personal_chat_answers_with_what_the_bot_can_do(bot_server: BotServer) -> None:
    activity = activities.personal_message(bot_server.service_url, "help")
    response = await bot_server.post(activity)
    assert response.status in (200, 201)

    sent = bot_server.connector.sent(activity["conversation"]["id"])
    assert len(sent) == 1
    reply = sent[0]
    assert reply["type"] == "message"
    assert "my actions" in reply["text"] and "away until" in reply["text"]
    assert reply["replyToId"] == activity["id"]


async def test_anything_not_understood_gets_help_not_silence(bot_server: BotServer) -> None:
    activity = activities.personal_message(bot_server.service_url, "what is this?")
    await bot_server.post(activity)
    [reply] = bot_server.connector.sent(activity["conversation"]["id"])
    assert "didn't understand" in reply["text"]
    assert "what is this?" in reply["text"]


async def test_channel_help_is_about_the_channel(bot_server: BotServer) -> None:
    activity = activities.channel_message(bot_server.service_url, "help")
    await bot_server.post(activity)
    [reply] = bot_server.connector.sent(activity["conversation"]["id"])
    assert "digest" in reply["text"] and "personal chat" in reply["text"]


async def test_malformed_requests_get_4xx_and_no_stack_trace(bot_server: BotServer) -> None:
    good = activities.personal_message(bot_server.service_url, "help")
    cases = [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"type": "message"}', "application/json"),
        (b'{"type": 5, "conversation": {"id": "x"}, "serviceUrl": "http://127.0.0.1/"}', "application/json"),
        ({**good, "conversation": "not an object"}, "application/json"),
        ({**good, "serviceUrl": None}, "application/json"),
        ({**good, "from": ["list"]}, "application/json"),
        (b"type=message", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ]
    for body, content_type in cases:
        response = await bot_server.post(body, content_type=content_type)
        text = await response.text()
        assert 400 <= response.status < 500, (body, response.status, text)
        assert "Traceback" not in text and 'File "' not in text
    assert bot_server.connector.calls == []


async def test_readyz_reports_the_database(bot_server: BotServer) -> None:
    response = await bot_server.http.get(f"{bot_server.url}/readyz")
    assert response.status == 200
    assert (await response.json())["database"] == "ok"
    await bot_server.runtime.engine.dispose()
    # A disposed engine reconnects: the check stays honest rather than cached.
    response = await bot_server.http.get(f"{bot_server.url}/readyz")
    assert response.status == 200


async def test_personal_install_is_remembered_and_linked_by_aad_object_id(
    bot_server: BotServer, example_plan: None
) -> None:
    sessions = bot_server.runtime.sessions
    async with sessions.begin() as session:
        person = await session.scalar(select(Person).where(Person.email == "rachel.ahmed@halton.example"))
        assert person is not None
        person.aad_object_id = OWNER_AAD
    sender = activities.user("29:rachel", "Rachel Ahmed", aad=OWNER_AAD)
    install = activities.personal_install(bot_server.service_url, sender)
    response = await bot_server.post(install)
    assert response.status in (200, 201)

    async with sessions() as session:
        ref = await session.scalar(select(ConversationRef))
        assert ref is not None
        assert ref.kind == "personal"
        assert ref.conversation_id == install["conversation"]["id"]
        assert ref.service_url == bot_server.service_url
        assert ref.tenant_id == activities.TENANT_ID
        assert ref.user_id == "29:rachel"
        assert ref.bot_id == activities.BOT_ID
        assert ref.person_id == person.id
    # The welcome is the help text.
    assert "my actions" in bot_server.connector.sent(install["conversation"]["id"])[0]["text"]


async def test_personal_chat_is_linked_by_roster_email_when_aad_id_is_unknown(
    bot_server: BotServer, example_plan: None
) -> None:
    sender = activities.user("29:sarah", "Sarah Whitfield", aad="0f3c2d4e-2222-4a5b-9c8d-000000000002")
    conversation_id = activities.personal_conversation_id(sender["id"])
    bot_server.connector.add_member(
        conversation_id,
        {
            "id": "29:sarah",
            "name": "Sarah Whitfield",
            "aadObjectId": sender["aadObjectId"],
            "email": "Sarah.Whitfield@halton.example",
            "userPrincipalName": "sarah.whitfield@halton.example",
            "tenantId": activities.TENANT_ID,
        },
    )
    await bot_server.post(activities.personal_message(bot_server.service_url, "help", sender))

    async with bot_server.runtime.sessions() as session:
        person = await session.scalar(select(Person).where(Person.email == "sarah.whitfield@halton.example"))
        ref = await session.scalar(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id))
        assert person is not None and ref is not None
        assert ref.person_id == person.id
        assert person.aad_object_id == sender["aadObjectId"]  # remembered for next time


async def test_unknown_person_chat_is_kept_but_not_linked(bot_server: BotServer, example_plan: None) -> None:
    sender = activities.user("29:stranger", "Someone Else", aad="0f3c2d4e-3333-4a5b-9c8d-000000000003")
    await bot_server.post(activities.personal_message(bot_server.service_url, "help", sender))
    async with bot_server.runtime.sessions() as session:
        ref = await session.scalar(select(ConversationRef))
        assert ref is not None and ref.person_id is None


async def test_team_install_remembers_the_channel_and_uninstall_marks_it(bot_server: BotServer) -> None:
    install = activities.team_install(bot_server.service_url)
    await bot_server.post(install)
    async with bot_server.runtime.sessions() as session:
        ref = await session.scalar(select(ConversationRef))
        assert ref is not None
        assert ref.kind == "channel"
        assert ref.team_id == "19:team-general@thread.tacv2"
        assert ref.teams_channel_id == "19:team-general@thread.tacv2"
        assert ref.installed

    await bot_server.post(activities.team_install(bot_server.service_url, action="remove"))
    async with bot_server.runtime.sessions() as session:
        ref = await session.scalar(select(ConversationRef))
        assert ref is not None and not ref.installed


async def test_channel_thread_messages_store_the_channel_not_the_thread(bot_server: BotServer) -> None:
    await bot_server.post(activities.channel_message(bot_server.service_url, "status"))
    async with bot_server.runtime.sessions() as session:
        ref = await session.scalar(select(ConversationRef))
        assert ref is not None
        assert ";messageid=" not in ref.conversation_id


async def test_a_conversation_update_adding_the_bot_to_a_team_remembers_the_channel(bot_server: BotServer) -> None:
    added = activities.team_install(bot_server.service_url)
    added.update(type="conversationUpdate", membersAdded=[{"id": activities.BOT_ID}])
    del added["action"]
    added["channelData"]["eventType"] = "teamMemberAdded"
    response = await bot_server.post(added)
    assert response.status in (200, 201)
    async with bot_server.runtime.sessions() as session:
        ref = await session.scalar(select(ConversationRef))
        assert ref is not None and ref.kind == "channel" and ref.team_id == "19:team-general@thread.tacv2"
    assert bot_server.connector.calls == []  # remembered quietly: the welcome is for installs
