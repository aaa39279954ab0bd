"""The :class:`Ledger`: record attempts and reconciliations, read them back as of an instant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from shelfcheck.errors import Msg
from shelfcheck.ledger.db import (
    LedgerError,
    create_ledger_engine,
    describe_url,
    migrate,
    resolve_url,
    sqlite_path,
)
from shelfcheck.ledger.guard import LockRule, SkuStatus, evaluate_lock
from shelfcheck.ledger.models import Attempt, InventorySnapshot, InventorySync, utc

__all__ = ["CHECK_SOURCES", "AttemptRecord", "Ledger", "LedgerHistory", "SyncItem", "SyncRecord", "open_ledger"]

OUTCOMES = ("failed", "passed")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


#: attempt sources that record a verdict of Check Product Listing, not a submission: kept with
#: their request id, never counted towards the repeat-failure lock (checking is free).
CHECK_SOURCES = ("listing_check",)


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One recorded submission attempt."""

    id: int
    seller_sku: str
    outcome: str
    reasons: tuple[str, ...]
    attempted_at: dt.datetime
    product_id: str | None = None
    content_hash: str | None = None
    source: str = "cli"
    request_id: str | None = None
    recorded_at: dt.datetime | None = None

    @classmethod
    def _of(cls, row: Attempt) -> AttemptRecord:
        return cls(row.id, row.seller_sku, row.outcome, tuple(row.reasons or ()), row.attempted_at,
                   row.product_id, row.content_hash, row.source, row.request_id, row.recorded_at)


@dataclass(frozen=True, slots=True)
class LedgerHistory:
    """What the check rules need of the ledger as of one instant, read in one query.

    ``failures`` maps each SKU with a failed attempt to its failure times (oldest first);
    ``by_hash`` maps (SKU, content hash) to the newest attempt that sent that content. A SKU
    absent from both has no history: the rules skip it without asking the database again.
    """

    as_of: dt.datetime
    failures: dict[str, list[dt.datetime]]
    by_hash: dict[tuple[str, str], AttemptRecord]
    hashed_skus: frozenset[str]

    def status(self, sku: str, rule: LockRule) -> SkuStatus:
        """The SKU's standing under the lock rule (the same as :meth:`Ledger.status`)."""
        return evaluate_lock(sku, self.failures.get(sku, ()), self.as_of, rule)

    def last_with_hash(self, sku: str, content_hash: str) -> AttemptRecord | None:
        """The newest attempt of ``sku`` that sent exactly this content (the same as
        :meth:`Ledger.last_with_hash`)."""
        return self.by_hash.get((sku, content_hash))


@dataclass(frozen=True, slots=True)
class SyncItem:
    """One SKU of a reconciliation: ERP and platform quantities, drift, and whether it is flagged."""

    seller_sku: str
    erp: int | None
    platform: int | None
    drift: int | None
    flagged: bool
    platform_synced_at: str | None = None


@dataclass(frozen=True, slots=True)
class SyncRecord:
    """A SKU's line in a stored reconciliation, with the reconciliation's time and tolerance."""

    sync_id: int
    synced_at: dt.datetime
    tolerance: int
    item: SyncItem


class Ledger:
    """A connection to the ledger database. Use :func:`open_ledger` to get one.

    A read-only ledger whose SQLite file does not exist has no engine and reads as empty.
    """

    def __init__(self, url: URL, engine: Engine | None, *, readonly: bool) -> None:
        self.url = url
        self.engine = engine
        self.readonly = readonly
        self._skus: set[str] | None = None  # read-only: SKUs with any attempt (a check skips the rest)
        self._history: LedgerHistory | None = None  # the last one :meth:`history` read

    # Life cycle ---------------------------------------------------------------------------
    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections."""
        if self.engine is not None:
            self.engine.dispose()

    def after_fork(self) -> None:
        """Call in a forked child: forget the parent's pooled connections without closing them."""
        if self.engine is not None:
            self.engine.dispose(close=False)

    @property
    def location(self) -> str:
        """Where the ledger is, safe to show (password masked)."""
        return describe_url(self.url)

    @property
    def exists(self) -> bool:
        """False for a read-only ledger whose database does not exist yet."""
        return self.engine is not None

    @contextmanager
    def _session(self, write: bool = False) -> Iterator[Session]:
        if self.engine is None:
            raise LedgerError(Msg("ledger_readonly_missing", location=self.location))
        if write and self.readonly:
            raise LedgerError(Msg("ledger_readonly", location=self.location))
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                if write:
                    with session.begin():
                        yield session
                else:
                    yield session
        except LedgerError:
            raise
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise LedgerError(Msg("ledger_problem", location=self.location,
                                  problem=_one_line(exc.orig or exc))) from None
        except SQLAlchemyError as exc:
            raise LedgerError(Msg("ledger_problem", location=self.location, problem=_one_line(exc))) from None

    def _has_history(self, sku: str) -> bool:
        """False when ``sku`` certainly has no attempt (read-only ledgers cache the SKU list)."""
        if self.engine is None:
            return False
        if not self.readonly:
            return True
        if self._skus is None:
            with self._session() as session:
                self._skus = set(session.scalars(select(Attempt.seller_sku).distinct()))
        return sku in self._skus

    def history(self, as_of: dt.datetime) -> LedgerHistory:
        """Every failure, and the newest attempt of each content, at or before ``as_of``.

        One query for the whole run (kept for the next call with the same instant), so checking
        a catalogue costs the same few milliseconds whether its SKUs have history or not; only
        the attempts that can matter are held (failures, and attempts with a content hash).
        """
        instant = utc(as_of)
        known = self._history
        if known is not None and known.as_of == instant:
            return known
        failures: dict[str, list[dt.datetime]] = {}
        by_hash: dict[tuple[str, str], AttemptRecord] = {}
        if self.engine is not None:
            query = (select(Attempt.id, Attempt.seller_sku, Attempt.outcome, Attempt.reasons,
                            Attempt.attempted_at, Attempt.product_id, Attempt.content_hash, Attempt.source,
                            Attempt.request_id, Attempt.recorded_at)
                     .where(Attempt.attempted_at <= instant,
                            (Attempt.outcome == "failed") | Attempt.content_hash.is_not(None))
                     .order_by(Attempt.attempted_at, Attempt.id))
            with self._session() as session:
                for row in session.execute(query):
                    sku = row.seller_sku
                    if row.outcome == "failed" and row.source not in CHECK_SOURCES:
                        failures.setdefault(sku, []).append(row.attempted_at)
                    if row.content_hash:  # later rows are newer: the last one written wins
                        by_hash[(sku, row.content_hash)] = AttemptRecord(
                            row.id, sku, row.outcome, tuple(row.reasons or ()), row.attempted_at,
                            row.product_id, row.content_hash, row.source, row.request_id, row.recorded_at)
        self._history = LedgerHistory(instant, failures, by_hash, frozenset(sku for sku, _ in by_hash))
        return self._history

    # Attempts -----------------------------------------------------------------------------
    def record_attempt(
        self,
        sku: str,
        outcome: str,
        *,
        reasons: Sequence[str] = (),
        at: dt.datetime | None = None,
        product_id: str | None = None,
        content_hash: str | None = None,
        source: str = "cli",
        request_id: str | None = None,
        dedupe_key: str | None = None,
    ) -> AttemptRecord:
        """Record one submission attempt and return it.

        Args:
            sku: the seller SKU.
            outcome: ``failed`` or ``passed``.
            reasons: failure reasons (finding codes or platform codes), in the order given.
            at: when the attempt was made (default: now); stored in UTC.
            product_id: the platform product id, when known.
            content_hash: :func:`~shelfcheck.ledger.listing_content_hash` of what was sent.
            source: who recorded it (``cli``, ``publish``, ``sandbox`` …).
            request_id: the platform's ``request_id`` (support cases need it).
            dedupe_key: makes recording idempotent: a second attempt with the same key is not
                stored again; the first one is returned.
        """
        sku = sku.strip()
        if not sku:
            raise ValueError("the SKU is empty")
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be failed or passed, not {outcome!r}")
        now = _now()
        row = Attempt(seller_sku=sku, outcome=outcome, reasons=[r for r in reasons if r],
                      attempted_at=utc(at) if at is not None else now, recorded_at=now,
                      product_id=product_id or None, content_hash=content_hash or None,
                      source=source, request_id=request_id or None, dedupe_key=dedupe_key or None)
        self._history = None  # read again after a write
        try:
            with self._session(write=True) as session:
                session.add(row)
                session.flush()
                return AttemptRecord._of(row)
        except IntegrityError:
            if dedupe_key is None:
                raise LedgerError(Msg("ledger_not_stored", location=self.location)) from None
            with self._session() as session:
                existing = session.scalars(select(Attempt).where(Attempt.dedupe_key == dedupe_key)).one()
                return AttemptRecord._of(existing)

    def attempts(self, sku: str, *, until: dt.datetime | None = None) -> list[AttemptRecord]:
        """Every attempt of ``sku`` at or before ``until`` (default: all), oldest first."""
        if self.engine is None:
            return []
        query = select(Attempt).where(Attempt.seller_sku == sku)
        if until is not None:
            query = query.where(Attempt.attempted_at <= utc(until))
        query = query.order_by(Attempt.attempted_at, Attempt.id)
        with self._session() as session:
            return [AttemptRecord._of(r) for r in session.scalars(query)]

    def products_first_recorded_since(self, since: dt.datetime, *, source: str = "publish") -> int:
        """How many distinct products (by product id) ``source`` recorded for the first time at
        or after ``since`` — for ``publish``: the products it created since then."""
        if self.engine is None:
            return 0
        first = (select(Attempt.product_id, func.min(Attempt.attempted_at).label("first"))
                 .where(Attempt.source == source, Attempt.product_id.is_not(None))
                 .group_by(Attempt.product_id).subquery())
        query = select(func.count()).select_from(first).where(first.c.first >= utc(since))
        with self._session() as session:
            return int(session.scalar(query) or 0)

    def count_attempts(self) -> int:
        """How many attempts are stored (all SKUs)."""
        if self.engine is None:
            return 0
        with self._session() as session:
            return int(session.scalar(select(func.count()).select_from(Attempt)) or 0)

    def status(self, sku: str, *, rule: LockRule | Any, as_of: dt.datetime | None = None) -> SkuStatus:
        """The SKU's standing under the lock rule as of ``as_of`` (default: now).

        ``rule`` is a :class:`LockRule`, a policy, or its ``lock`` block.
        """
        lock_rule = rule if isinstance(rule, LockRule) else LockRule.from_policy(rule)
        instant = utc(as_of) if as_of is not None else _now()
        failures: list[dt.datetime] = []
        if self._has_history(sku):
            query = (select(Attempt.attempted_at)
                     .where(Attempt.seller_sku == sku, Attempt.outcome == "failed",
                            Attempt.source.not_in(CHECK_SOURCES),
                            Attempt.attempted_at <= instant)
                     .order_by(Attempt.attempted_at))
            with self._session() as session:
                failures = list(session.scalars(query))
        return evaluate_lock(sku, failures, instant, lock_rule)

    def last_attempt(self, sku: str, *, as_of: dt.datetime | None = None,
                     outcome: str | None = None) -> AttemptRecord | None:
        """The newest attempt of ``sku`` at or before ``as_of`` (optionally of one outcome)."""
        if self.engine is None:
            return None
        query = select(Attempt).where(Attempt.seller_sku == sku)
        if as_of is not None:
            query = query.where(Attempt.attempted_at <= utc(as_of))
        if outcome is not None:
            query = query.where(Attempt.outcome == outcome)
        query = query.order_by(Attempt.attempted_at.desc(), Attempt.id.desc()).limit(1)
        with self._session() as session:
            row = session.scalars(query).first()
            return AttemptRecord._of(row) if row is not None else None

    def last_with_hash(self, sku: str, content_hash: str, *,
                       as_of: dt.datetime | None = None) -> AttemptRecord | None:
        """The newest attempt of ``sku`` that sent exactly this content (at or before ``as_of``)."""
        if not content_hash or not self._has_history(sku):
            return None
        query = select(Attempt).where(Attempt.seller_sku == sku, Attempt.content_hash == content_hash)
        if as_of is not None:
            query = query.where(Attempt.attempted_at <= utc(as_of))
        query = query.order_by(Attempt.attempted_at.desc(), Attempt.id.desc()).limit(1)
        with self._session() as session:
            row = session.scalars(query).first()
            return AttemptRecord._of(row) if row is not None else None

    # Inventory ----------------------------------------------------------------------------
    def record_sync(
        self,
        items: Iterable[SyncItem],
        *,
        tolerance: int,
        at: dt.datetime | None = None,
        catalog: str | None = None,
        platform: str | None = None,
        source: str = "reconcile",
    ) -> int:
        """Store one reconciliation (its SKUs in one transaction); return its id."""
        items = list(items)
        now = _now()
        with self._session(write=True) as session:
            sync = InventorySync(synced_at=utc(at) if at is not None else now, recorded_at=now,
                                 catalog=_clip(catalog, 1024), platform=_clip(platform, 1024),
                                 tolerance=tolerance, items=len(items),
                                 flagged=sum(1 for i in items if i.flagged), source=source)
            session.add(sync)
            session.flush()
            session.add_all(InventorySnapshot(
                sync_id=sync.id, seller_sku=i.seller_sku, erp_quantity=i.erp,
                platform_quantity=i.platform, drift=i.drift, flagged=i.flagged,
                platform_synced_at=_clip(i.platform_synced_at, 64)) for i in items)
            return sync.id

    def last_sync(self, sku: str, *, as_of: dt.datetime | None = None) -> SyncRecord | None:
        """The SKU's line in the newest reconciliation at or before ``as_of`` that included it."""
        if self.engine is None:
            return None
        query = (select(InventorySnapshot, InventorySync)
                 .join(InventorySync, InventorySnapshot.sync_id == InventorySync.id)
                 .where(InventorySnapshot.seller_sku == sku))
        if as_of is not None:
            query = query.where(InventorySync.synced_at <= utc(as_of))
        query = query.order_by(InventorySync.synced_at.desc(), InventorySync.id.desc()).limit(1)
        with self._session() as session:
            found = session.execute(query).first()
            if found is None:
                return None
            snap, sync = found
            item = SyncItem(snap.seller_sku, snap.erp_quantity, snap.platform_quantity, snap.drift,
                            bool(snap.flagged), snap.platform_synced_at)
            return SyncRecord(sync.id, sync.synced_at, sync.tolerance, item)


def _clip(text: str | None, size: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= size else text[: size - 1] + "…"


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return " ".join(lines[0].split())[:300] if lines else exc.__class__.__name__


def open_ledger(db: str | URL | None = None, *, readonly: bool = False) -> Ledger:
    """Open the ledger at ``db`` (a URL or file path; default ``SHELFCHECK_DB`` or the home file).

    Writable: creates the SQLite file and its folder when missing. Read-only: a missing SQLite
    file is not created and reads as an empty ledger. Either way an existing database is
    upgraded to the newest schema first.

    Raises:
        LedgerError: bad URL, missing driver, unreachable server, foreign or newer schema.
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        if readonly and not path.exists():
            return Ledger(url, None, readonly=True)
        if not readonly:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(Msg("ledger_cannot_create", location=path, reason=exc.strerror or exc)) from None
        elif path.is_dir():
            raise LedgerError(Msg("ledger_is_folder", location=path))
    engine = create_ledger_engine(url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Ledger(url, engine, readonly=readonly)
