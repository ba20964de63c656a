"""The outbox's rules and Teams' rate windows, checked without I/O on a simulated clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from domain.conversations import MemberIdentity
from domain.outbox import (
    MAX_PAYLOAD_BYTES,
    DeliveryError,
    DeliveryStatus,
    MessageKind,
    PayloadInvalid,
    Recipient,
    RetryPolicy,
    Verdict,
    idempotency_key,
    member_matches,
    message_payload,
    parse_retry_after,
)
from domain.send_limits import TEAMS_CONVERSATION_WINDOWS, SendLimiter, Window, app_windows

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": []}
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def overruns(times: list[float], windows: tuple[Window, ...]) -> list[str]:
    """Independent check: no `limit + 1` sends may fall within less than `seconds`."""
    times = sorted(times)
    found = []
    for w in windows:
        for i in range(len(times) - w.limit):
            if times[i + w.limit] - times[i] < w.seconds - 1e-9:  # float sums: 0.1 * 20 < 2.0
                found.append(f"{w.limit + 1} sends within {times[i + w.limit] - times[i]:.3f}s > {w}")
                break
    return found


def send_greedily(limiter: SendLimiter, conversations: list[str], start: float = 0.0) -> dict[str, list[float]]:
    """Each send goes at the first moment the limiter allows (the simulated clock jumps there)."""
    now = start
    sent: dict[str, list[float]] = {}
    for conversation in conversations:
        while True:
            booking = limiter.reserve(conversation, now)
            if booking.booked:
                sent.setdefault(conversation, []).append(now + booking.wait)
                break
            now += booking.wait
    return sent


# ---- keys and payloads -------------------------------------------------------------------------


def test_idempotency_keys_name_kind_scope_recipient_and_step() -> None:
    key = idempotency_key(MessageKind.REMINDER, scope="progress-2026-11", recipient=Recipient.person(12), step=2)
    assert key == "reminder/progress-2026-11/person-12/2"
    channel = idempotency_key(MessageKind.DIGEST, scope="2026-11", recipient=Recipient.conversation(3))
    assert channel == "digest/2026-11/conversation-3/0"
    with pytest.raises(ValueError):
        idempotency_key(MessageKind.PROMPT, scope=" ", recipient=Recipient.person(1))
    with pytest.raises(ValueError):
        idempotency_key(MessageKind.PROMPT, scope="x" * 300, recipient=Recipient.person(1))
    with pytest.raises(ValueError):
        Recipient(person_id=1, conversation_ref_id=2)


def test_payloads_are_a_card_or_text_and_never_too_big_for_teams() -> None:
    assert message_payload(card=CARD) == {"card": CARD}
    assert message_payload(text="hello") == {"text": "hello"}
    with pytest.raises(PayloadInvalid):
        message_payload()
    with pytest.raises(PayloadInvalid):
        message_payload(card={"type": "HeroCard"})
    big = {**CARD, "body": [{"type": "TextBlock", "text": "x" * (MAX_PAYLOAD_BYTES // 2)}]}
    with pytest.raises(PayloadInvalid, match="100 KB"):
        message_payload(card=big)


# ---- what to retry ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [412, 429, 500, 502, 503, 504])
def test_transient_answers_are_retried(status: int) -> None:
    assert RetryPolicy().verdict(DeliveryError(status)) is Verdict.RETRY


def test_timeouts_are_retried() -> None:
    assert RetryPolicy().verdict(DeliveryError.timeout()) is Verdict.RETRY


@pytest.mark.parametrize("status", [400, 401, 405, 413])
def test_bad_requests_are_never_retried(status: int) -> None:
    step = RetryPolicy().next_step(DeliveryError(status), attempts=1, random=lambda: 0.5)
    assert step.status is DeliveryStatus.FAILED and step.delay is None


@pytest.mark.parametrize(
    ("status", "code", "sub_code"),
    [
        (403, "ConversationBlockedByUser", None),
        (403, "BotNotInConversationRoster", None),
        (403, "Forbidden", "MessageWritesBlocked"),
        (404, "ConversationNotFound", None),
    ],
)
def test_blocked_or_gone_recipients_are_unreachable(status: int, code: str, sub_code: str | None) -> None:
    step = RetryPolicy().next_step(DeliveryError(status, code=code, sub_code=sub_code), attempts=1, random=lambda: 0.5)
    assert step.status is DeliveryStatus.UNREACHABLE and step.unreachable


def test_a_404_on_an_update_means_the_old_message_is_gone_not_the_person() -> None:
    error = DeliveryError(404, code="ActivityNotFoundInConversation")
    assert RetryPolicy().verdict(error, updating=True) is Verdict.FAILED
    assert RetryPolicy().verdict(error) is Verdict.UNREACHABLE


def test_backoff_is_exponential_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base=1.0, cap=10.0)
    assert [policy.backoff(n, lambda: 0.999999) for n in (1, 2, 3, 4, 5)] == pytest.approx([1, 2, 4, 8, 10], 1e-3)
    assert policy.backoff(3, lambda: 0.0) == 0.0
    rng = random.Random(7)
    draws = [policy.backoff(3, rng.random) for _ in range(200)]
    assert all(0 <= d < 4 for d in draws) and max(draws) > 3 and min(draws) < 1  # spread over [0, 4)
    again = random.Random(7)
    assert draws == [policy.backoff(3, again.random) for _ in range(200)]  # deterministic per seed


def test_retries_stop_at_the_attempt_limit() -> None:
    policy = RetryPolicy(max_attempts=3)
    error = DeliveryError(503)
    assert policy.next_step(error, attempts=2, random=lambda: 0.5).status is DeliveryStatus.PENDING
    assert policy.next_step(error, attempts=3, random=lambda: 0.5).status is DeliveryStatus.FAILED


def test_a_429_waits_its_retry_after_and_pauses_everyone() -> None:
    step = RetryPolicy().next_step(DeliveryError(429, retry_after=7.0), attempts=1, random=lambda: 0.5)
    assert (step.status, step.delay, step.pause_all) == (DeliveryStatus.PENDING, 7.0, 7.0)
    no_header = RetryPolicy().next_step(DeliveryError(429), attempts=2, random=lambda: 0.5)
    assert no_header.delay == no_header.pause_all == 1.0  # backoff instead: 0.5 * 2


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("3", NOW) == 3.0
    assert parse_retry_after("0.25", NOW) == 0.25
    assert parse_retry_after("Mon, 23 Nov 2026 10:00:30 GMT", NOW) == 30.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_roster_members_match_by_aad_id_then_email_or_upn() -> None:
    member = MemberIdentity("29:1", aad_object_id="AAD-1", email="Jo@Council.gov.uk", upn="jo.b@council.gov.uk")
    assert member_matches(member, aad_object_id="aad-1", email="x@y", upn=None)
    assert not member_matches(member, aad_object_id="aad-2", email="jo@council.gov.uk", upn=None)
    assert member_matches(member, aad_object_id=None, email="jo@council.gov.uk", upn=None)
    assert member_matches(member, aad_object_id=None, email="other@x", upn="JO.B@council.gov.uk")
    assert not member_matches(MemberIdentity("29:2"), aad_object_id=None, email="jo@council.gov.uk", upn=None)


# ---- rate windows ------------------------------------------------------------------------------


def test_one_conversation_never_overruns_any_teams_window() -> None:
    limiter = SendLimiter(app_rate=1000, margin=0.0)
    sent = send_greedily(limiter, ["a:1"] * 2000)["a:1"]
    assert overruns(sent, TEAMS_CONVERSATION_WINDOWS) == []
    # ...and is not slower than the windows demand: 60 in the first 30 s, 1800 in the first hour.
    assert sum(t < 30 for t in sent) == 60
    assert sum(t < 3600 for t in sent) == 1800
    assert sent[6] == pytest.approx(0.006) and sent[7] == pytest.approx(1.0)  # 7, then the 1 s window


def test_the_app_rate_holds_across_conversations() -> None:
    limiter = SendLimiter(app_rate=10, margin=0.0)
    sent = send_greedily(limiter, [f"a:{n}" for n in range(95)])
    times = sorted(t for ts in sent.values() for t in ts)
    assert overruns(times, (Window(10, 1.0),)) == []
    assert times[:3] == pytest.approx([0.0, 0.1, 0.2])  # evenly spaced: no burst
    assert times[-1] == pytest.approx(9.4)


def test_a_margin_lengthens_every_window() -> None:
    sent = send_greedily(SendLimiter(app_rate=1000, margin=0.05), ["a:1"] * 9)["a:1"]
    assert sent[7] == pytest.approx(1.05) and sent[8] == pytest.approx(2.1)
    assert overruns(sent, (Window(7, 1.05), Window(8, 2.1))) == []


def test_random_mixes_of_conversations_stay_inside_every_window() -> None:
    rng = random.Random(3)
    limiter = SendLimiter(app_rate=30, margin=0.0)
    sent = send_greedily(limiter, [f"c{rng.randrange(5)}" for _ in range(600)])
    for times in sent.values():
        assert overruns(times, TEAMS_CONVERSATION_WINDOWS) == []
    assert overruns([t for ts in sent.values() for t in ts], app_windows(30)) == []


def test_a_busy_conversation_does_not_hold_up_the_others() -> None:
    limiter = SendLimiter(app_rate=100, margin=0.0)
    assert send_greedily(limiter, ["busy"] * 7, start=0.1)["busy"] == pytest.approx(
        [0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16]
    )
    waiting = limiter.reserve("busy", 0.2)
    assert not waiting.booked and waiting.wait == pytest.approx(0.9)
    other = limiter.reserve("quiet", 0.2)
    assert other.booked and other.wait == 0.0
    assert limiter.wait_time("busy", 0.5) == pytest.approx(0.6)


def test_a_pause_stops_every_send_until_it_ends() -> None:
    limiter = SendLimiter(app_rate=100)
    limiter.pause_until(10.0)
    limiter.pause_until(4.0)  # a shorter pause never shortens a longer one
    booking = limiter.reserve("a:1", 1.0)
    assert not booking.booked and booking.wait == pytest.approx(9.0)
    assert limiter.wait_time("a:2", 1.0) == pytest.approx(9.0)
    assert limiter.reserve("a:1", 10.0).booked


def test_a_slow_answer_counts_the_send_when_it_was_answered() -> None:
    """Teams counts a send when it arrives, some time before its answer: once answered, the
    limiter counts it at the answer, so later slots keep their distance even from a late start."""
    limiter = SendLimiter(app_rate=1000, margin=0.0)
    booked = send_greedily(limiter, ["a:1"] * 7)["a:1"]
    for at in booked:
        limiter.answered("a:1", at, 0.3)  # a cold connection: every answer came late
    assert limiter.wait_time("a:1", 0.3) == pytest.approx(1.0)  # the 8th: 1 s after 0.3, not after 0.0
    limiter.answered("a:1", 99.0, 0.4)  # an unknown booking changes nothing
    assert limiter.wait_time("a:1", 0.3) == pytest.approx(1.0)


def test_fractional_app_rates_space_sends_out() -> None:
    assert app_windows(0.5) == (Window(1, 2.0),)
    assert app_windows(50) == (Window(50, 1.0), Window(1, 0.02, smoothing=True))
    with pytest.raises(ValueError):
        app_windows(0)
