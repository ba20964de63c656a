"""Teams' rate windows: whatever the calls' latencies, no window ever holds more than its limit.

The property test plays any sequence of call starts and answers on a simulated clock, lets Teams
count each call at any moment between its start and its answer, and checks every window with an
independent count."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.send_limits import (
    TEAMS_CONVERSATION_WINDOWS,
    SendLimiter,
    Window,
    app_windows,
    shared_windows,
)


def overruns(times: list[float], windows: tuple[Window, ...]) -> list[str]:
    """Independent check: no `limit + 1` calls may fall within less than `seconds`."""
    times = sorted(times)
    found = []
    for w in windows:
        for i in range(len(times) - w.limit):
            if times[i + w.limit] - times[i] < w.seconds - 1e-9:  # float sums: 0.1 * 20 < 2.0
                found.append(f"{w.limit + 1} calls within {times[i + w.limit] - times[i]:.3f}s > {w}")
                break
    return found


def send_greedily(
    limiter: SendLimiter, conversations: list[str], *, latency: float = 0.0, start: float = 0.0
) -> dict[str, list[float]]:
    """Each call starts at the first moment the limiter allows (the clock jumps there) and is
    answered `latency` seconds later."""
    now = start
    sent: dict[str, list[float]] = {}
    for conversation in conversations:
        while not limiter.start(conversation, now):
            wait = limiter.wait_time(conversation, now)
            now += wait if not math.isinf(wait) else latency
        sent.setdefault(conversation, []).append(now)
        limiter.answered(conversation, now + latency)
    return sent


APP_RATE = 10

step = st.tuples(
    st.floats(0.0, 0.4),  # seconds the clock moves before this step
    st.sampled_from(["start", "start", "answer"]),
    st.integers(0, 2),  # which conversation a start is for; which call in flight an answer is for
    st.floats(0.0, 1.0),  # where between its start and its answer Teams counted the call
)


@settings(max_examples=300, deadline=None)
@given(st.lists(step, max_size=250))
def test_no_window_overflows_whenever_teams_counts_each_call(steps: list[tuple[float, str, int, float]]) -> None:
    limiter = SendLimiter(APP_RATE, spacing=False)
    now = 0.0
    in_flight: list[tuple[str, float, float]] = []  # (conversation, started, where counted)
    arrived: list[tuple[str, float]] = []
    for dt, op, n, where in steps:
        now += dt
        if op == "start" and limiter.start(f"c{n}", now):
            in_flight.append((f"c{n}", now, where))
        elif op == "answer" and in_flight:
            conversation, started, at = in_flight.pop(n % len(in_flight))
            limiter.answered(conversation, now)
            arrived.append((conversation, started + at * (now - started)))
    arrived += [(c, started + at * 30) for c, started, at in in_flight]  # still on their way
    assert overruns([t for _, t in arrived], app_windows(APP_RATE)) == []
    for conversation in {c for c, _ in arrived}:
        times = [t for c, t in arrived if c == conversation]
        assert overruns(times, TEAMS_CONVERSATION_WINDOWS) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=400), st.floats(0.0, 0.2))
def test_greedy_calls_with_any_latency_stay_inside_the_windows(picks: list[int], latency: float) -> None:
    sent = send_greedily(SendLimiter(APP_RATE), [f"c{n}" for n in picks], latency=latency)
    for times in sent.values():
        assert overruns(times, TEAMS_CONVERSATION_WINDOWS) == []
    assert overruns([t for ts in sent.values() for t in ts], app_windows(APP_RATE)) == []


def test_one_conversation_gets_all_its_windows_allow_and_no_more() -> None:
    sent = send_greedily(SendLimiter(1000, spacing=False), ["a:1"] * 2000)["a:1"]
    assert overruns(sent, TEAMS_CONVERSATION_WINDOWS) == []
    assert sum(t < 30 for t in sent) == 60
    assert sum(t < 3600 for t in sent) == 1800
    assert sent[6] == 0.0 and sent[7] == pytest.approx(1.0)  # 7 at once, then the 1 s window


def test_the_app_rate_holds_across_conversations_and_uses_all_of_it() -> None:
    sent = send_greedily(SendLimiter(10, tolerance=0.0), [f"a:{n}" for n in range(95)])
    times = sorted(t for ts in sent.values() for t in ts)
    assert overruns(times, (Window(10, 1.0),)) == []
    assert times[:3] == pytest.approx([0.0, 0.1, 0.2])  # evenly spaced: no burst
    assert times[-1] == pytest.approx(9.4)  # and nothing lost: 10 every second


def test_a_late_answer_keeps_the_window_open_until_it_comes() -> None:
    """A call counts from its start until its answer: Teams may have counted it at either end."""
    limiter = SendLimiter(2, spacing=False)
    assert limiter.start("a", 0.0) and limiter.start("b", 0.0)
    assert math.isinf(limiter.wait_time("c", 5.0))  # both in flight: no answer, no slot
    limiter.answered("a", 0.4)
    assert limiter.wait_time("c", 0.4) == pytest.approx(1.0)  # a full second after the answer
    assert not limiter.start("c", 1.3) and limiter.start("c", 1.4)


def test_a_held_conversation_waits_while_the_others_go_on() -> None:
    limiter = SendLimiter(100, spacing=False)
    limiter.hold("throttled", 3.0)
    assert limiter.wait_time("throttled", 1.0) == pytest.approx(2.0)
    assert not limiter.start("throttled", 1.0)
    assert limiter.start("other", 1.0)
    assert limiter.start("throttled", 3.0)


def test_a_pause_stops_every_call_until_it_ends() -> None:
    limiter = SendLimiter(100)
    limiter.pause_until(10.0)
    limiter.pause_until(4.0)  # a shorter pause never shortens a longer one
    assert limiter.wait_time("a:1", 1.0) == pytest.approx(9.0)
    assert not limiter.start("a:2", 9.9)
    assert limiter.start("a:1", 10.0)


def test_a_lower_rate_counts_the_calls_already_made() -> None:
    limiter = SendLimiter(10, spacing=False)
    for _ in range(6):
        assert limiter.start("a", 0.0)
        limiter.answered("a", 0.0)
    limiter.set_rate(5)
    assert limiter.wait_time("b", 0.5) == pytest.approx(0.5)  # six in the window: wait them out


def test_rates_and_shares_round_down_so_shares_never_add_up_to_more() -> None:
    assert app_windows(0.5) == (Window(1, 2.0),)
    assert app_windows(50 / 3) == (Window(16, 1.0),)
    with pytest.raises(ValueError):
        app_windows(0)
    two = shared_windows(TEAMS_CONVERSATION_WINDOWS, 2)
    assert [w.limit for w in two] == [3, 4, 30, 900]
    assert shared_windows(TEAMS_CONVERSATION_WINDOWS, 1) == TEAMS_CONVERSATION_WINDOWS
