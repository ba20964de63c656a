"""The fake Bot Connector speaks the protocol of botbuilder's own ConnectorClient (4.17.1)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ErrorResponseException,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.teams import TeamsConnectorClient
from msrest.exceptions import HttpOperationError

from tests.fakes.connector import FakeConnector
from tests.fakes.connector_faults import (
    TEAMS_SEND_LIMITS,
    RecordedCall,
    SlidingWindows,
    compile_match,
    window_violations,
)

CHANNEL = "19:general-abc@thread.tacv2"
THREAD = f"{CHANNEL};messageid=1699999999999"
TEAM = "19:team-1@thread.tacv2"
REPO_ROOT = Path(__file__).resolve().parents[2]


def member(n: int) -> dict[str, str]:
    return {
        "id": f"29:user-{n}",
        "name": f"User {n}",
        "aadObjectId": f"00000000-0000-0000-0000-00000000000{n}",
        "email": f"user{n}@council.example",
        "userPrincipalName": f"user{n}@council.example",
        "givenName": "User",
        "surname": str(n),
        "tenantId": "tenant-1",
        "userRole": "user",
    }


def message(text: str) -> Activity:
    return Activity(type="message", text=text)


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as fc:
        yield fc


@pytest.fixture
def client(fake: FakeConnector) -> ConnectorClient:
    # What CloudAdapter uses when MicrosoftAppId is empty (PasswordServiceClientCredentialFactory).
    return ConnectorClient(MicrosoftAppCredentials.empty(), base_url=fake.base_url)


async def test_send_decodes_ids_and_sends_no_authorization(fake: FakeConnector, client: ConnectorClient) -> None:
    first = await client.conversations.send_to_conversation(THREAD, message("one"))
    second = await client.conversations.send_to_conversation("a:1xyz", message("two"))

    assert fake.base_url.endswith("/")
    call = fake.calls[0]
    assert (call.method, call.kind, call.conversation_id) == ("POST", "send", THREAD)
    assert call.path == f"/v3/conversations/{THREAD}/activities"
    assert "Authorization" not in call.headers
    assert int(second.id) > int(first.id)
    assert [a["text"] for a in fake.sent(THREAD)] == ["one"]
    assert fake.sent(CHANNEL)[0]["id"] == first.id  # a channel id selects its threads
    assert fake.activities_by_id[second.id]["conversation"]["id"] == "a:1xyz"


async def test_create_personal_conversation_is_stable_per_user(fake: FakeConnector, client: ConnectorClient) -> None:
    params = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id="28:bot"),
        members=[ChannelAccount(id="29:user-1")],
        tenant_id="tenant-1",
    )
    created = await client.conversations.create_conversation(params)
    again = await client.conversations.create_conversation(params)

    assert created.id.startswith("a:") and created.id == again.id
    assert created.service_url == fake.base_url
    assert created.activity_id is None
    # Note the SDK's spelling: ConversationParameters.tenant_id goes out as "tenantID".
    assert fake.created_conversations[0]["parameters"]["tenantID"] == "tenant-1"


async def test_channel_post_starts_a_thread_then_reply_lands_in_it(
    fake: FakeConnector, client: ConnectorClient
) -> None:
    params = ConversationParameters(
        is_group=True,
        channel_data={"channel": {"id": CHANNEL}},
        activity=message("digest"),
        tenant_id="tenant-1",
    )
    created = await client.conversations.create_conversation(params)
    assert created.id == f"{CHANNEL};messageid={created.activity_id}"

    reply = await client.conversations.reply_to_activity(created.id, created.activity_id, message("detail"))

    assert [a["text"] for a in fake.sent(created.id)] == ["digest", "detail"]
    assert fake.activities_by_id[reply.id]["replyToId"] == created.activity_id
    assert fake.calls[-1].kind == "reply"


async def test_update_and_delete_change_current_state(fake: FakeConnector, client: ConnectorClient) -> None:
    sent = await client.conversations.send_to_conversation("a:1u", message("card v1"))

    updated = await client.conversations.update_activity("a:1u", sent.id, message("card v2"))

    assert updated.id == sent.id
    assert fake.activities_by_id[sent.id]["text"] == "card v2"
    assert fake.sent()[0]["text"] == "card v1"  # what was sent stays recorded as sent
    assert [u["text"] for u in fake.updates(activity_id=sent.id)] == ["card v2"]

    await client.conversations.delete_activity("a:1u", sent.id)
    assert sent.id not in fake.activities_by_id and fake.deleted_ids == [sent.id]

    with pytest.raises(ErrorResponseException) as caught:
        await client.conversations.update_activity("a:1u", sent.id, message("v3"))
    assert caught.value.error.error.code == "ActivityNotFoundInConversation"


async def test_paged_members_follow_continuation_tokens(fake: FakeConnector, client: ConnectorClient) -> None:
    fake.max_page_size = 2
    for n in range(5):
        fake.add_member(TEAM, member(n))

    pages, token = [], None
    while True:
        page = await client.conversations.get_teams_conversation_paged_members(
            TEAM, page_size=100, continuation_token=token
        )
        pages.append([m.aad_object_id for m in page.members])
        token = page.continuation_token
        if not token:
            break

    assert [len(p) for p in pages] == [2, 2, 1]
    assert pages[0][0] == member(0)["aadObjectId"]
    assert fake.calls[1].query == {"pageSize": "100", "continuationToken": "fake-ct-2"}


async def test_members_and_single_member(fake: FakeConnector, client: ConnectorClient) -> None:
    fake.add_team(TEAM, "Adult Social Care", channels=[{"id": CHANNEL, "name": "CQC"}])
    fake.add_member(TEAM, member(1))

    everyone = await client.conversations.get_conversation_members(THREAD)  # channel → team
    one = await client.conversations.get_conversation_member(TEAM, member(1)["aadObjectId"])

    assert [m.id for m in everyone] == ["29:user-1"]
    assert one.id == "29:user-1"
    with pytest.raises(ErrorResponseException) as caught:
        await client.conversations.get_conversation_member(TEAM, "29:nobody")
    assert caught.value.response.status_code == 404
    assert caught.value.error.error.code == "MemberNotFoundInConversation"


async def test_team_details_and_channels_through_sync_teams_client(fake: FakeConnector) -> None:
    fake.add_team(TEAM, "Adult Social Care", [{"id": CHANNEL, "name": "CQC"}], aad_group_id="g-1")
    teams = TeamsConnectorClient(MicrosoftAppCredentials.empty(), fake.base_url)

    # The SDK's Teams operations are synchronous: off the loop, or they block the fake itself.
    details = await asyncio.to_thread(teams.teams.get_team_details, TEAM)
    channels = await asyncio.to_thread(teams.teams.get_teams_channels, TEAM)

    assert (details.name, details.aad_group_id, details.channel_count) == (
        "Adult Social Care",
        "g-1",
        2,
    )
    assert [(c.id, c.name) for c in channels.conversations] == [(TEAM, None), (CHANNEL, "CQC")]
    with pytest.raises(HttpOperationError):
        await asyncio.to_thread(teams.teams.get_team_details, "19:unknown")


async def test_throttled_429_carries_retry_after_and_code(fake: FakeConnector, client: ConnectorClient) -> None:
    fake.fail(429, match="send", retry_after=3)

    with pytest.raises(ErrorResponseException) as caught:
        await client.conversations.send_to_conversation("a:1u", message("x"))

    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "3"
    assert caught.value.error.error.code == "Throttled"
    assert fake.calls[-1].status == 429 and fake.calls[-1].fault == "injected"
    assert fake.sent() == []
    await client.conversations.send_to_conversation("a:1u", message("x"))  # rule used up
    assert len(fake.sent()) == 1


@pytest.mark.parametrize(
    ("code", "sub_code"),
    [("ConversationBlockedByUser", None), ("Forbidden", "MessageWritesBlocked")],
)
async def test_forbidden_error_code_is_readable(
    fake: FakeConnector, client: ConnectorClient, code: str, sub_code: str | None
) -> None:
    fake.fail(403, match=lambda c: c.conversation_id == "a:1blocked", code=code, sub_code=sub_code)

    with pytest.raises(ErrorResponseException) as caught:
        await client.conversations.send_to_conversation("a:1blocked", message("x"))

    assert caught.value.error.error.code == code
    # subCode is not in the SDK's Error model: read it from the raw body.
    assert caught.value.response.json()["error"].get("subCode") == sub_code


async def test_sdk_transport_retries_5xx_on_put_but_not_on_post(fake: FakeConnector, client: ConnectorClient) -> None:
    """msrest's urllib3 Retry resends 5xx for GET/PUT/DELETE (not POST): a surprise to know."""
    sent = await client.conversations.send_to_conversation("a:1u", message("v1"))
    fake.fail(503, match="update")
    fake.fail(503, match="send")

    await client.conversations.update_activity("a:1u", sent.id, message("v2"))
    with pytest.raises(ErrorResponseException):
        await client.conversations.send_to_conversation("a:1u", message("x"))

    assert [c.status for c in fake.calls_matching("update")] == [503, 200]
    assert [c.status for c in fake.calls_matching("send")] == [201, 503]


async def test_delivered_but_failed_and_delayed_responses(fake: FakeConnector, client: ConnectorClient) -> None:
    fake.fail(504, match="send", deliver=True)
    with pytest.raises(ErrorResponseException):
        await client.conversations.send_to_conversation("a:1u", message("maybe lost"))
    assert [a["text"] for a in fake.sent()] == ["maybe lost"]

    fake.delay(0.3, match="send")
    task = asyncio.create_task(client.conversations.send_to_conversation("a:1u", message("slow")))
    seen = await fake.wait_for(lambda f: [a for a in f.sent() if a["text"] == "slow"])
    assert not task.done() and fake.calls[-1].status is None  # delivered, response held
    await task
    assert fake.calls[-1].status == 201
    assert fake.delivered_count_by_key(lambda a: a["text"]) == {"maybe lost": 1, "slow": 1}
    assert seen[0]["conversation"]["id"] == "a:1u"


async def test_wait_for_times_out_with_summary(fake: FakeConnector) -> None:
    with pytest.raises(AssertionError, match="0 call\\(s\\) recorded"):
        await fake.wait_for(lambda f: f.sent(), timeout=0.05, what="a prompt")


async def test_teams_limits_throttle_a_burst_to_one_conversation(fake: FakeConnector, client: ConnectorClient) -> None:
    fake.throttle_teams_limits()

    async def send(conversation: str) -> int:
        try:
            await client.conversations.send_to_conversation(conversation, message("burst"))
        except ErrorResponseException as exc:
            assert exc.response.headers["Retry-After"].isdigit()
            return int(exc.response.status_code)
        return 201

    statuses = [await send("a:1busy") for _ in range(10)]
    other = await send("a:1quiet")

    assert statuses.count(429) >= 3
    assert statuses[:7] == [201] * 7
    assert other == 201
    violations = fake.window_violations()  # every call over a window is seen, not only refused
    assert len(violations) == statuses.count(429)
    assert all("over the conversation a:1busy (send) window" in v for v in violations)
    assert all(c.fault == "throttled" for c in fake.calls if c.status == 429)


async def test_app_rate_limits_across_conversations(fake: FakeConnector) -> None:
    fake.throttle_teams_limits(app_rate=5)
    async with aiohttp.ClientSession(base_url=fake.base_url) as http:
        statuses = []
        for n in range(8):
            async with http.post(f"v3/conversations/a:1u{n}/activities", json={}) as resp:
                statuses.append(resp.status)
    assert statuses == [201] * 5 + [429] * 3
    assert [v.split(": ", 1)[1] for v in fake.window_violations()] == ["over the app window"] * 3


async def test_calls_that_fail_still_count_against_the_windows(fake: FakeConnector) -> None:
    """Teams counts a request when it arrives, whatever it answers."""
    fake.throttle_teams_limits(app_rate=3)
    fake.inject_random_failures(rate=1.0, statuses=(503,), seed=1)
    async with aiohttp.ClientSession(base_url=fake.base_url) as http:
        statuses = []
        for n in range(4):
            async with http.post(f"v3/conversations/a:1u{n}/activities", json={}) as resp:
                statuses.append(resp.status)
    assert statuses == [503, 503, 503, 429]
    assert len(fake.window_violations()) == 1


async def test_random_failures_are_seeded(fake: FakeConnector) -> None:
    fake.inject_random_failures(rate=0.5, statuses=(429, 500), seed=7, match="send")
    async with aiohttp.ClientSession(base_url=fake.base_url) as http:
        for _ in range(40):
            async with http.post("v3/conversations/a%3A1u/activities", json={"text": "r"}):
                pass
            async with http.get("v3/conversations/a%3A1u/members"):
                pass
    failed = [c for c in fake.calls if c.fault == "random"]
    assert 8 <= len(failed) <= 32 and {c.kind for c in failed} == {"send"}
    assert {c.status for c in failed} <= {429, 500}
    assert len(fake.sent()) == 40 - len(failed)


def test_sliding_windows_report_time_until_next_slot() -> None:
    windows = SlidingWindows(TEAMS_SEND_LIMITS)
    for i in range(7):
        assert windows.wait_time("c", i * 0.1) == 0.0
        windows.add("c", i * 0.1)
    assert windows.wait_time("c", 0.7) == pytest.approx(0.3)  # 7/1s full until t=1.0
    windows.add("c", 1.0)
    assert windows.wait_time("c", 1.05) == pytest.approx(0.95)  # 8/2s full until t=2.0


def test_window_violations_and_match_specs() -> None:
    def call(seq: int, t: float, kind: str = "send") -> RecordedCall:
        return RecordedCall(seq, "POST", "/v3/conversations/a:1/activities", kind, "a:1", None,
                            None, t, {}, thread_key="a:1", status=201)  # fmt: skip

    assert window_violations([call(i, i * 0.1) for i in range(7)]) == []
    assert window_violations([call(i, i * 0.1) for i in range(8)]) != []
    assert compile_match("send|reply")(call(1, 0.0))
    assert not compile_match("update")(call(1, 0.0))
    assert compile_match("POST /activities")(call(1, 0.0))
    assert compile_match("a:1/")(call(1, 0.0))


@pytest.mark.slow
async def test_runs_as_a_process_and_dumps_records_on_sigterm(tmp_path: Path) -> None:
    dump = tmp_path / "calls.json"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.connector",
        "--port",
        "0",
        "--enforce-limits",
        "--failure-rate",
        "0.1",
        "--app-rate",
        "50",
        "--seed",
        "1",
        "--dump",
        str(dump),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        assert line.startswith("LISTENING http://127.0.0.1:") and line.endswith("/\n")
        async with (
            aiohttp.ClientSession(base_url=line.split()[1]) as http,
            http.post("v3/conversations/a%3A1u/activities", json={"text": "hi"}) as resp,
        ):
            assert resp.status in (201, 429, 500, 503)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
    records = json.loads(dump.read_text())
    assert [c["conversation_id"] for c in records["calls"]] == ["a:1u"]
    assert records["summary"]["calls"] == 1
