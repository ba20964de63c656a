"""The app rate's AIMD: 429s from several conversations at once cut it, quiet lets it grow back,
and only a repeat soon after a cut pauses everything."""

from __future__ import annotations

import pytest

from domain.congestion import AimdPolicy, AppRate, Signal


def answers(rate: AppRate, at: float, count: int) -> None:
    for _ in range(count):
        rate.answered(at)


def test_429s_from_one_conversation_never_slow_the_app() -> None:
    rate = AppRate(50)
    answers(rate, 1.0, 10)
    assert [rate.throttled("a:busy", 1.0) for _ in range(5)] == [Signal.NONE] * 5
    assert rate.rate(1.0) == 50


def test_scattered_429s_from_many_conversations_are_too_few_to_mean_the_app_limit() -> None:
    rate = AppRate(50)
    for n in range(20):  # 1 in 30 calls throttled, each from its own conversation: 3 %
        at = n * 0.6
        answers(rate, at, 30)
        assert rate.throttled(f"a:{n}", at) is Signal.NONE
    assert rate.rate(12.0) == 50


def test_clustered_429s_halve_the_rate_once_then_it_recovers_additively() -> None:
    policy = AimdPolicy(quiet_seconds=5.0, increase=0.1)
    rate = AppRate(50, policy)
    answers(rate, 10.0, 10)
    signals = [rate.throttled(f"a:{n}", 10.0) for n in range(6)]
    assert signals[:2] == [Signal.NONE, Signal.NONE]  # two conversations: not yet "several"
    assert signals[2] is Signal.SLOW_DOWN
    assert signals[3:] == [Signal.NONE] * 3  # the same burst: cut once, not again and again
    assert rate.rate(10.0) == 25
    assert rate.rate(14.9) == 25  # not before a quiet period
    assert rate.rate(15.0) == 30  # +10 % of the ceiling per quiet period
    assert rate.rate(27.0) == 40  # three quiet periods since the cut
    assert rate.rate(100.0) == 50  # never above the ceiling


def test_a_second_signal_soon_after_a_cut_pauses_everyone() -> None:
    rate = AppRate(50, AimdPolicy(cluster_seconds=1.0, quiet_seconds=5.0))
    answers(rate, 1.0, 5)
    assert [rate.throttled(f"a:{n}", 1.0) for n in range(3)][-1] is Signal.SLOW_DOWN
    answers(rate, 3.0, 5)
    assert [rate.throttled(f"b:{n}", 3.0) for n in range(3)][-1] is Signal.PAUSE
    assert rate.rate(3.0) == pytest.approx(12.5)
    answers(rate, 20.0, 5)  # long after: a new cut, not a pause
    assert [rate.throttled(f"c:{n}", 20.0) for n in range(3)][-1] is Signal.SLOW_DOWN


def test_the_rate_never_falls_below_the_floor_and_follows_a_new_share() -> None:
    rate = AppRate(4, AimdPolicy(floor=1.0, cluster_seconds=1.0, quiet_seconds=1000))
    for n in range(5):
        at = n * 2.0
        answers(rate, at, 3)
        for c in range(3):
            rate.throttled(f"{n}:{c}", at)
    assert rate.rate(10.0) == 1.0
    rate.set_ceiling(8)  # the other instance went: twice the share, the same fraction of it
    assert (rate.ceiling, rate.rate(10.0)) == (8, 2.0)
