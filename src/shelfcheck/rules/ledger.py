"""Ledger rules: the repeat-failure lock and blind resubmission (only when a ledger is given).

They read ``c.run.ledger`` (a :class:`shelfcheck.ledger.Ledger`; ``None`` → no findings) as of
the run's as-of instant (``c.run.as_of_time``: now, or the start of the ``--as-of`` day UTC), and
the lock rule's numbers from the policy's ``lock:`` block. The content hash is
:func:`shelfcheck.ledger.listing_content_hash`, the same one the publisher records.

The ledger is read once per run (:meth:`shelfcheck.ledger.Ledger.history`), never once per row:
a listing whose SKU has no history costs a dictionary look-up, and its content is not even
hashed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shelfcheck.findings import Hit, Severity
from shelfcheck.ledger.guard import LockRule, SkuStatus, format_instant
from shelfcheck.ledger.hashing import listing_content_hash
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

_RUN: Slot[tuple[LockRule, Any]] = Slot("ledger_history")  # the lock rule, the history (or None)
_STATUS: Slot[SkuStatus | None] = Slot("ledger_status")


def _history(c: ListingContext) -> Any:
    """The ledger's history as of the run (one query per run), or ``None`` without a ledger."""
    ledger: Any = c.run.ledger
    if ledger is None:
        return None
    return c.run.once(_RUN, lambda: _read(c, ledger))[1]  # once per run (and per worker process)


def _read(c: ListingContext, ledger: Any) -> tuple[LockRule, Any]:
    read = getattr(ledger, "history", None)  # a ledger-like object without it is asked per SKU
    return LockRule.from_policy(c.policy), read(c.run.as_of_time) if read is not None else None


def _lock_rule(c: ListingContext) -> LockRule:
    return c.run.once(_RUN, lambda: _read(c, c.run.ledger))[0]


def _status(c: ListingContext) -> SkuStatus | None:
    """The SKU's lock status as of the run (cached per listing); ``None`` without a ledger."""
    ledger: Any = c.run.ledger
    sku = c.listing.seller_sku
    if ledger is None or not sku:
        return None
    def make() -> SkuStatus | None:
        history = _history(c)
        rule = _lock_rule(c)
        if history is None:
            return ledger.status(sku, rule=rule, as_of=c.run.as_of_time)  # type: ignore[no-any-return]
        if sku in history.failures or rule.max_failures <= 0:
            return history.status(sku, rule)  # type: ignore[no-any-return]
        return None  # no failure on record: neither locked nor near the limit

    return c.once(_STATUS, make)


def _lock_evidence(c: ListingContext, status: SkuStatus) -> dict[str, Any]:
    lock = c.policy.lock
    return {"failures_24h": status.failures_24h, "max_failures": lock.max_failures,
            "window_hours": lock.window_hours, "lock_hours": lock.lock_hours,
            "attempts_left": status.attempts_left, "as_of": format_instant(status.as_of)}


def _ledger_given(run: Any) -> bool:
    """A ledger was given and holds a database (a read-only ledger that does not exist is empty)."""
    return run.ledger is not None and getattr(run.ledger, "exists", True)


def _sku_has_history(c: ListingContext) -> bool:
    """The SKU has a failure or a sent content on record (a shortcut: the rules check it too)."""
    history = _history(c)
    if history is None:  # a ledger-like object without a history: its rules ask per SKU
        return True
    sku = c.listing.values.get("seller_sku")
    return bool(sku) and (sku in history.failures or sku in history.hashed_skus
                          or _lock_rule(c).max_failures <= 0)


family("ledger", gate=_sku_has_history, run_gate=_ledger_given)


@rule("sku_locked", family="ledger", reads=("lock.max_failures", "lock.window_hours", "lock.lock_hours"))
def sku_locked(c: ListingContext) -> Iterator[Hit]:
    """The SKU is in the platform's 72-hour repeat-failure lock.

    What it checks:
        In the ledger (``--db``), whether more than ``lock.max_failures`` failed attempts of this
        SKU fell within ``lock.window_hours`` and the ``lock.lock_hours`` lock that started at the
        attempt that crossed the line is still running at the as-of instant.
    Why the platform refuses it:
        TikTok Shop's risk control locks a SKU for 72 hours after more than 3 failed submissions
        within 24 hours (Seller Risk Management Policy v2.1 §4.3); every submission during the
        lock is refused, whatever the listing says, and each one is another failure on record.
    Bad:
        four failed submissions of ``SC-001`` between 09:00 and 11:00, then a fifth at 12:00
    Good:
        fix every reason ``shelfcheck check`` reports, then submit once after the lock ends
    Fix:
        Do not submit this SKU again before ``locked_until``. Use the time to fix every finding
        (``shelfcheck check``, ``shelfcheck diagnose SKU``); submitting a new SKU for the same
        product to get around the lock is treated as evasion.
    """
    status = _status(c)
    if status is None or not status.locked:
        return
    yield Hit("seller_sku", {**_lock_evidence(c, status),
                             "locked_until": format_instant(status.locked_until),
                             "lock_started_at": format_instant(status.lock_started_at)})


@rule("sku_failures_near_limit", family="ledger", severity=Severity.WARNING,
      reads=("lock.max_failures", "lock.window_hours"))
def sku_failures_near_limit(c: ListingContext) -> Iterator[Hit]:
    """One more failed submission of this SKU would lock it for 72 hours.

    What it checks:
        In the ledger (``--db``), the failed attempts of this SKU within the last
        ``lock.window_hours`` before the as-of instant: ``lock.max_failures`` or more (and the
        SKU not locked yet) means the next failure crosses the line.
    Why the platform refuses it:
        Not a refusal yet: the platform allows 3 failures of a SKU within 24 hours; the 4th
        starts a 72-hour lock during which the SKU cannot be published at all.
    Bad:
        three failures of ``SC-001`` in the last 24 hours, and a resubmission with the same
        missing document
    Good:
        no new submission until ``shelfcheck check`` reports no error for the SKU, or until the
        oldest failure leaves the 24-hour window
    Fix:
        Submit this SKU only when ``shelfcheck check`` shows no error-level finding for it; if in
        doubt, wait until the oldest failure is more than 24 hours old.
    """
    status = _status(c)
    if status is None or not status.near_limit:
        return
    yield Hit("seller_sku", _lock_evidence(c, status))


@rule("resubmit_unchanged", family="ledger")
def resubmit_unchanged(c: ListingContext) -> Iterator[Hit]:
    """The listing is exactly what was already submitted and refused.

    What it checks:
        The listing's content hash (every field the platform judges and the main images by
        content; not stock, not file names) against the attempts of this SKU in the ledger
        (``--db``): the newest attempt that sent the same content failed.
    Why the platform refuses it:
        The review engine judges the same content the same way: an unchanged resubmission fails
        again for the same reasons and counts towards the 72-hour repeat-failure lock.
    Bad:
        resubmitting ``SC-001`` after "missing_fcc_id" without adding the FCC ID
    Good:
        resubmitting after filling ``fcc_id`` and uploading the grant (the hash changes)
    Fix:
        Fix the reasons recorded for that attempt first (``shelfcheck diagnose SKU`` lists
        them); renaming image files or changing only the stock does not count as a change.
    """
    ledger: Any = c.run.ledger
    sku = c.listing.seller_sku
    if ledger is None or not sku:
        return
    history = _history(c)
    if history is not None and sku not in history.hashed_skus:
        return  # nothing this SKU sent is on record: no need to hash the listing
    digest = listing_content_hash(c.listing, c.images)
    last = (history.last_with_hash(sku, digest) if history is not None
            else ledger.last_with_hash(sku, digest, as_of=c.run.as_of_time))
    if last is None or last.outcome != "failed":
        return
    yield Hit("seller_sku", {"content_hash": digest[:16], "failed_at": format_instant(last.attempted_at),
                             "reasons": list(last.reasons), "product_id": last.product_id},
              {"reasons": list(last.reasons) or None})
