"""The repeat-failure guard: the platform's lock rule, computed from recorded failures.

The rule (policy ``lock:``; contract §7): more than ``max_failures`` failed attempts of one SKU
within any ``window_hours`` window lock it for ``lock_hours`` from the attempt that crossed the
line. Precisely:

* A failure at *t* sees the failures in its trailing window ``(t − window, t]`` — two failures
  exactly ``window`` apart are not in one window.
* A failure *crosses the line* when its window holds more than ``max_failures`` failures and the
  SKU is not already locked at *t*; the lock then runs over ``[t, t + lock)``. Failures recorded
  during a lock (the platform refuses every attempt then) do not extend it, but they still count
  in later windows.
* As of an instant *T* (attempts after *T* are ignored): ``failures_24h`` = failures in
  ``(T − window, T]``; ``locked`` when *T* falls in a lock; ``attempts_left`` =
  ``max(0, max_failures − failures_24h)`` — the failures still allowed before the next one locks.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any



def utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)

__all__ = ["LockRule", "SkuStatus", "evaluate_lock", "format_instant", "parse_instant"]


@dataclass(frozen=True, slots=True)
class LockRule:
    """The lock rule's numbers (from the policy's ``lock:`` block)."""

    max_failures: int
    window: dt.timedelta
    lock: dt.timedelta

    @classmethod
    def from_policy(cls, policy: Any) -> LockRule:
        """From a :class:`~shelfcheck.policy.Policy` or its ``lock`` block."""
        block = getattr(policy, "lock", policy)
        return cls(block.max_failures, dt.timedelta(hours=block.window_hours),
                   dt.timedelta(hours=block.lock_hours))

    @property
    def window_hours(self) -> float:
        return self.window.total_seconds() / 3600

    @property
    def lock_hours(self) -> float:
        return self.lock.total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class SkuStatus:
    """A SKU's standing under the lock rule at one instant."""

    sku: str
    as_of: dt.datetime
    failures_24h: int
    locked: bool
    locked_until: dt.datetime | None
    lock_started_at: dt.datetime | None
    attempts_left: int
    rule: LockRule

    @property
    def near_limit(self) -> bool:
        """Not locked, but one more failure now would lock the SKU."""
        return not self.locked and self.failures_24h >= self.rule.max_failures

    def to_json(self) -> dict[str, Any]:
        """The contract's ``ledger status --format json`` object (§7), exactly these keys."""
        return {
            "sku": self.sku,
            "failures_24h": self.failures_24h,
            "locked": self.locked,
            "locked_until": format_instant(self.locked_until) if self.locked else None,
            "attempts_left": self.attempts_left,
        }


def evaluate_lock(sku: str, failures: Iterable[dt.datetime], as_of: dt.datetime, rule: LockRule) -> SkuStatus:
    """Apply the lock rule to the failure times of one SKU, as of ``as_of``."""
    as_of = utc(as_of)
    times = sorted(t for t in (utc(f) for f in failures) if t <= as_of)
    window: deque[dt.datetime] = deque()
    lock_start: dt.datetime | None = None
    lock_end: dt.datetime | None = None
    for t in times:
        while window and t - window[0] >= rule.window:
            window.popleft()
        window.append(t)
        already_locked = lock_end is not None and t < lock_end
        if len(window) > rule.max_failures and not already_locked:
            lock_start, lock_end = t, t + rule.lock
    recent = sum(1 for t in times if as_of - t < rule.window)
    locked = lock_end is not None and as_of < lock_end
    return SkuStatus(
        sku=sku,
        as_of=as_of,
        failures_24h=recent,
        locked=locked,
        locked_until=lock_end if locked else None,
        lock_started_at=lock_start if locked else None,
        attempts_left=max(0, rule.max_failures - recent),
        rule=rule,
    )


def parse_instant(text: str) -> dt.datetime:
    """Read an ISO 8601 instant; a bare date is the start of that day, UTC; no zone means UTC.

    Raises:
        ValueError: not an ISO 8601 date or date-time.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty date")
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc)
    if value[-1] in "zZ":
        value = value[:-1] + "+00:00"
    return utc(dt.datetime.fromisoformat(value.replace(" ", "T", 1)))


def format_instant(value: dt.datetime | None) -> str | None:
    """``2024-08-01T10:00:00Z`` (UTC, seconds; microseconds only when present)."""
    if value is None:
        return None
    return utc(value).isoformat().replace("+00:00", "Z")
