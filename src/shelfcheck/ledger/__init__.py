"""The ledger: submission attempts, the repeat-failure guard, inventory sync history.

A database (SQLite at ``~/.shelfcheck/ledger.db`` by default; any SQLAlchemy URL through
``--db`` or ``SHELFCHECK_DB``, PostgreSQL through psycopg 3) holding:

* **attempts** — each submission of a SKU: outcome, reasons, product id, the listing's content
  hash (:func:`listing_content_hash`), when, and who recorded it;
* **inventory_syncs** / **inventory_snapshots** — each ``inventory reconcile``: per SKU the ERP
  and platform quantities and the drift, so ``diagnose`` can read the last drift.

The lock rule itself is pure (:func:`evaluate_lock`) and reads its numbers from the policy
(:meth:`LockRule.from_policy`). Migrations ship in :mod:`shelfcheck.ledger.migrations` and run
when the ledger is opened; that module's docstring says how to add tables.

Usage::

    with open_ledger(db) as ledger:
        ledger.record_attempt("SC-001", "failed", reasons=["missing_fcc_id"])
        ledger.status("SC-001", rule=policy).to_json()
"""

from shelfcheck.lazy import lazy_getattr
from shelfcheck.ledger.guard import LockRule, SkuStatus, evaluate_lock, format_instant, parse_instant
from shelfcheck.ledger.hashing import listing_content_hash

# The database side (SQLAlchemy, alembic) loads on first use: a check without a ledger, and the
# rules that only need the guard, do not pay for importing it.
_LAZY = {
    "LedgerError": "shelfcheck.ledger.db",
    "alembic_config": "shelfcheck.ledger.db",
    "default_url": "shelfcheck.ledger.db",
    "resolve_url": "shelfcheck.ledger.db",
    "AttemptRecord": "shelfcheck.ledger.store",
    "Ledger": "shelfcheck.ledger.store",
    "SyncItem": "shelfcheck.ledger.store",
    "SyncRecord": "shelfcheck.ledger.store",
    "open_ledger": "shelfcheck.ledger.store",
}


__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = [
    "AttemptRecord",
    "Ledger",
    "LedgerError",
    "LockRule",
    "SkuStatus",
    "SyncItem",
    "SyncRecord",
    "alembic_config",
    "default_url",
    "evaluate_lock",
    "format_instant",
    "listing_content_hash",
    "open_ledger",
    "parse_instant",
    "resolve_url",
]
