"""The outbox's rules, checked without I/O."""

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

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": []}
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


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


def test_a_429_waits_its_retry_after_or_backs_off_with_jitter() -> None:
    step = RetryPolicy().next_step(DeliveryError(429, retry_after=7.0), attempts=1, random=lambda: 0.5)
    assert (step.status, step.delay, step.throttled) == (DeliveryStatus.PENDING, 7.0, True)
    no_header = RetryPolicy().next_step(DeliveryError(429), attempts=2, random=lambda: 0.5)
    assert no_header.delay == 1.0 and no_header.throttled  # backoff instead: 0.5 * 2
    assert not RetryPolicy().next_step(DeliveryError(503), attempts=1, random=lambda: 0.5).throttled


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
