"""The lock rule as pure computation: windows, crossing, lock length, as-of semantics."""

from __future__ import annotations

import datetime as dt

import pytest

from shelfcheck.ledger import LockRule, evaluate_lock, format_instant, parse_instant
from shelfcheck.policy import load_policy

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
RULE = LockRule.from_policy(load_policy(None))


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_rule_numbers_come_from_the_policy() -> None:
    pack = load_policy(None)
    assert RULE.max_failures == pack.lock.max_failures == 3
    assert RULE.window == dt.timedelta(hours=pack.lock.window_hours) == dt.timedelta(hours=24)
    assert RULE.lock == dt.timedelta(hours=pack.lock.lock_hours) == dt.timedelta(hours=72)


def test_three_failures_do_not_lock_the_fourth_does() -> None:
    three = evaluate_lock("A", [h(0), h(1), h(2)], h(2.5), RULE)
    assert (three.failures_24h, three.locked, three.attempts_left) == (3, False, 0)
    assert three.near_limit
    four = evaluate_lock("A", [h(0), h(1), h(2), h(3)], h(3), RULE)
    assert four.locked and four.locked_until == h(3 + 72) and four.lock_started_at == h(3)
    assert four.attempts_left == 0 and not four.near_limit


def test_failures_spread_over_25_hours_do_not_lock() -> None:
    times = [h(0), h(25 / 3), h(50 / 3), h(25)]
    status = evaluate_lock("A", times, h(25), RULE)
    assert not status.locked
    assert status.failures_24h == 3  # the first left the window an hour ago


def test_window_is_half_open_exactly_24_hours_apart_is_not_one_window() -> None:
    assert not evaluate_lock("A", [h(0), h(10), h(20), h(24)], h(24), RULE).locked
    assert evaluate_lock("A", [h(0.01), h(10), h(20), h(24)], h(24), RULE).locked


def test_lock_lasts_72_hours_from_the_crossing_attempt() -> None:
    times = [h(0), h(1), h(2), h(3)]
    assert evaluate_lock("A", times, h(3 + 72) - dt.timedelta(seconds=1), RULE).locked
    after = evaluate_lock("A", times, h(3 + 72), RULE)
    assert not after.locked and after.locked_until is None and after.failures_24h == 0
    assert after.attempts_left == 3


def test_failures_during_the_lock_do_not_extend_it() -> None:
    times = [h(0), h(1), h(2), h(3), h(10), h(50)]
    status = evaluate_lock("A", times, h(60), RULE)
    assert status.locked and status.locked_until == h(75)


def test_a_new_crossing_after_the_lock_locks_again() -> None:
    first = [h(0), h(1), h(2), h(3)]
    second = [h(80), h(81), h(82), h(83)]
    status = evaluate_lock("A", first + second, h(84), RULE)
    assert status.locked and status.lock_started_at == h(83) and status.locked_until == h(83 + 72)


def test_attempts_after_the_as_of_instant_are_ignored() -> None:
    times = [h(0), h(1), h(2), h(3)]
    before = evaluate_lock("A", times, h(2.5), RULE)
    assert (before.failures_24h, before.locked) == (3, False)
    json_shape = before.to_json()
    assert json_shape == {"sku": "A", "failures_24h": 3, "locked": False, "locked_until": None,
                          "attempts_left": 0}


@pytest.mark.parametrize("failures, left", [(0, 3), (1, 2), (2, 1), (3, 0), (5, 0)])
def test_attempts_left_formula(failures: int, left: int) -> None:
    times = [h(i * 0.1) for i in range(failures)]
    assert evaluate_lock("A", times, h(1), RULE).attempts_left == left


def test_a_stricter_policy_changes_the_numbers() -> None:
    strict = LockRule(max_failures=1, window=dt.timedelta(hours=2), lock=dt.timedelta(hours=5))
    status = evaluate_lock("A", [h(0), h(1)], h(1), strict)
    assert status.locked and status.locked_until == h(6)
    assert not evaluate_lock("A", [h(0), h(2)], h(2), strict).locked


def test_parse_instant_bare_date_is_start_of_day_utc() -> None:
    assert parse_instant("2024-08-01") == dt.datetime(2024, 8, 1, tzinfo=UTC)
    assert parse_instant("2024-08-01T10:30:00Z") == dt.datetime(2024, 8, 1, 10, 30, tzinfo=UTC)
    assert parse_instant("2024-08-01T18:30:00+08:00") == dt.datetime(2024, 8, 1, 10, 30, tzinfo=UTC)
    assert parse_instant("2024-08-01 10:30") == dt.datetime(2024, 8, 1, 10, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_instant("yesterday")
    assert format_instant(dt.datetime(2024, 8, 1, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))) \
        == "2024-08-01T10:30:00Z"
