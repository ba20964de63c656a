"""The msrest retry-policy speed-up keeps msrest's policy exactly as it was."""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy

from bot.teams.adapter import speed_up_msrest_retry_policy


def test_retry_policy_is_unchanged_by_the_speed_up() -> None:
    expected = [code for code in range(999) if code not in ([i for i in range(500) if i != 408] + [501, 505])]
    speed_up_msrest_retry_policy()
    speed_up_msrest_retry_policy()  # idempotent
    policy = ClientRetryPolicy()
    assert list(policy.policy.status_forcelist) == expected
    assert policy.retries == 3
