"""Rows → products while the catalogue streams (O(rows), bounded per product).

The engine hands every row to :meth:`ProductTracker.note` before its rules run, in file order.
The tracker

* groups rows by ``product_key`` (a row without one is a product of its own); a catalogue
  without a product-key column but with ``Variation`` columns (TikTok's batch-upload template)
  groups consecutive rows with the same title and variation values into one product, keyed by
  the title (contract §2.1.1);
* gives a blank product-level cell the value an earlier row of its product wrote (ERP exports
  write the title, description and images on a product's first row only), so the row is checked
  as the product it belongs to;
* notes where rows of one product write different product-level values;
* keeps, per SKU, its row, seller SKU, sales attributes and SKU-level values — and, per product,
  short values or a preview and a digest of long ones: the full text of a long value (a
  description) only for the most recently seen products.

Memory is bounded: the products of at most :data:`HELD_ROWS` rows are held, those most recently
given a row; beyond that, the products without a key (one row each) and then the least recently
given a row wait in a temporary SQLite file, and one comes back if a later row of its product
arrives (the hashes of the keys sent to disk tell which keys to look for there: about 60 bytes a
product, for the first 500,000 of them; beyond, every key not held is looked for).

The products, with the status of each SKU's row, are read once the stream has ended
(:meth:`products`).
"""

from __future__ import annotations

import hashlib
import operator
import pickle
import sqlite3
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelfcheck.products.attributes import ATTRIBUTE_FIELDS, VARIATION_SLOTS, attributes_of
from shelfcheck.products.model import PRODUCT_FIELDS, SKU_FIELDS, Product, Sku, ValueGroup

if TYPE_CHECKING:
    from shelfcheck.model import Listing

__all__ = ["ProductTracker"]

# Values longer than this are kept as a preview and a digest.
_SHORT = 120
# Products whose long values are kept whole, to fill the blank cells of their later rows.
_RECENT = 2048
# Rows whose products are held in memory (about 1.3 KB a row); the others' products wait on disk.
HELD_ROWS = 100_000
# Hashes of the keys sent to disk remembered, so a new product's key is not looked for there.
_SPILLED_KEYS = 500_000
_EMPTY: dict[str, str] = {}


def _preview(text: str) -> str:
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


_SHOWN_TITLE = 60


def _shown_title(title: str) -> str:
    """A title group's product key as reports show it: the title, shortened."""
    title = " ".join(title.split())
    return title if len(title) <= _SHOWN_TITLE else title[: _SHOWN_TITLE - 1] + "…"


def _same_key(text: str) -> str | bytes:
    return text if len(text) <= _SHORT else hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                                             digest_size=16).digest()


class _Acc:
    """What the tracker keeps of one product while rows arrive."""

    __slots__ = ("seq", "product", "keys", "groups")

    def __init__(self, seq: int, product: Product) -> None:
        self.seq = seq  # its place in the order of the products' first rows
        self.product = product
        self.keys: dict[str, str | bytes] = {}   # field → comparison key of its first value
        self.groups: dict[str, dict[str | bytes, ValueGroup]] = {}  # fields in conflict: other values


class ProductTracker:
    """Groups a catalogue's rows into products as they stream (see the module docstring).

    Args:
        fields: the catalogue fields the catalogue has a column for.
        columns: field → the header it is read from (attributes without a name take it).
    """

    def __init__(self, fields: Collection[str], columns: Mapping[str, str]) -> None:
        self.keyed = "product_key" in fields
        # TikTok's batch-upload template has no product-key column: the rows of one product are
        # consecutive rows with the same product name and their own variation values.
        # Only with the template's split Variation columns: elsewhere (a sales_attributes or
        # colour/size column) a row without a product key stays a product of its own.
        self.by_title = not self.keyed and "title" in fields and any(f in fields for f, _n in VARIATION_SLOTS)
        self._run: tuple[str, str] | None = None  # (folded title, key) of the group the last row joined
        self._columns = dict(columns)
        self._product_fields = [f for f in PRODUCT_FIELDS if f in fields]
        self._sku_fields = [f for f in SKU_FIELDS if f in fields]
        self._attribute_fields = tuple(f for f in ATTRIBUTE_FIELDS if f in fields)
        self._open: OrderedDict[str, _Acc] = OrderedDict()  # held products, the most recently given a row last
        # Hashes of the keys of the products sent to disk (a hash may stand for a key taken back,
        # or for another key: that key is then looked for on disk, and not found); ``None`` once
        # there were more than :data:`_SPILLED_KEYS` (every key not held is then looked for).
        self._spilled: set[int] | None = set()
        self._spool: _Spool | None = None
        self._pending: list[tuple[int, Product]] = []  # products without a key, not yet on disk
        self._products = 0
        self._held = 0  # rows of the held products
        self._full: OrderedDict[str, dict[str, str]] = OrderedDict()  # recent products' long values
        self._failed = bytearray()
        self._count = 0
        # The product, product-level cells and fills of the last row without a conflict: a next
        # row of that product writing the same cells (most variants do) changes nothing else.
        self._last: tuple[_Acc, object, dict[str, str]] | None = None
        self._repeated = False  # whether the row just noted was such a row
        self._cells_at: tuple[Mapping[str, int], list[int], Callable[[list[str]], object] | None] | None = None

    @property
    def count(self) -> int:
        """Rows noted so far."""
        return self._count

    def note(self, row: int, get: Callable[[str], str], same: object = None) -> dict[str, str]:
        """Note one row (``get(field)`` gives its trimmed text); return the product-level values
        to fill into its blank cells (empty for most rows; read-only: rows may share it).
        ``same``, when given, stands for the row's product-level cells as written: equal for two
        rows only when those cells are the same."""
        position = self._count
        self._count += 1
        self._repeated = False
        attrs = attributes_of(get, self._columns, self._attribute_fields) if self._attribute_fields else _EMPTY
        values = {f: v for f in self._sku_fields if (v := get(f))} if self._sku_fields else {}
        sku = Sku(row, get("seller_sku"), attrs or _EMPTY, values or _EMPTY, position)
        key = get("product_key") if self.keyed else ""
        shown = key
        if not key and self.by_title:
            key, shown = self._title_group(row, get("title"), attrs)
        if not key:
            title = get("title")
            self._pending.append((self._next_seq(), Product(None, {"title": _preview(title)} if title else {}, [sku])))
            self._hold()
            return _EMPTY
        acc = self._open.get(key)
        if acc is not None:
            self._open.move_to_end(key)
        else:
            spilled = self._spilled
            acc = (self._spool.take(key) if self._spool is not None and (spilled is None or hash(key) in spilled)
                   else None)
            if acc is None:
                acc = _Acc(self._next_seq(), Product(shown))
            self._open[key] = acc
            self._held += len(acc.product.skus)
        acc.product.skus.append(sku)
        last = self._last
        self._repeated = same is not None and last is not None and last[0] is acc and last[1] == same
        if self._repeated:
            # Nothing new: the same fills, no conflict. Only rows without a key (which touch
            # nothing) came between, so the product is still the most recent in ``_full``.
            fills = last[2]  # type: ignore[index]
        else:
            fills, conflict = self._product_values(acc, key, row, get)
            self._last = (acc, same, fills) if same is not None and not conflict else None
        self._hold()
        return fills

    def _hold(self) -> None:
        """Count the row just noted; past :data:`HELD_ROWS`, move products to disk: those without
        a key first, then the least recently given a row (never the row just noted's)."""
        self._held += 1
        if self._held <= HELD_ROWS:
            return
        if self._pending:
            self._disk().put_products(self._pending)
            self._held -= len(self._pending)
            self._pending = []
        # Down to nine tenths, so products go to disk many at a time (one transaction each time).
        target = HELD_ROWS - HELD_ROWS // 10
        leaving: list[tuple[str, _Acc]] = []
        while self._held > target and len(self._open) > 1:
            key, acc = self._open.popitem(last=False)
            leaving.append((key, acc))
            if self._spilled is not None:
                self._spilled.add(hash(key))
                if len(self._spilled) > _SPILLED_KEYS:
                    self._spilled = None
            self._held -= len(acc.product.skus)
        if leaving:  # none when one product holds them all
            self._disk().put_accs(leaving)

    def _next_seq(self) -> int:
        seq = self._products
        self._products += 1
        return seq

    def _disk(self) -> _Spool:
        if self._spool is None:
            self._spool = _Spool()
        return self._spool

    def note_cells(self, row: int, cells: list[str], index: Mapping[str, int]) -> None:
        """:meth:`note` a raw record (``index``: field → its column) and fill its blank
        product-level cells in place. A row writing the product-level cells of its product's row
        before gets that row's very strings: a chunk sent to a worker process then carries each
        text once (pickle writes a repeated object as a reference)."""
        if self._cells_at is None or self._cells_at[0] is not index:
            at = [index[f] for f in self._product_fields if f in index]
            self._cells_at = (index, at, operator.itemgetter(*at, *at[:1]) if at else None)
        _, at, take = self._cells_at
        try:
            same = take(cells) if take is not None else None  # a tuple: one field taken twice
        except IndexError:  # a short record
            same = None

        def get(name: str) -> str:
            i = index.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        last = self._last
        fills = self.note(row, get, same)
        if self._repeated:
            for i, text in zip(at, last[1]):  # type: ignore[index, arg-type]
                cells[i] = text
        for name, value in fills.items():
            i = index[name]
            if i >= len(cells):
                cells.extend([""] * (i + 1 - len(cells)))
            cells[i] = value

    def fill(self, listing: Listing) -> None:
        """:meth:`note` a listing and fill its blank product-level cells in place (the one way the
        engine and a second reading of the catalogue, ``publish``, see a product's rows)."""
        values = listing.values
        fills = self.note(listing.row, listing.get, tuple(map(values.get, self._product_fields)))
        if fills:
            listing.values.update(fills)
            listing._images = None

    def _title_group(self, row: int, title: str, attrs: Mapping[str, str]) -> tuple[str, str]:
        """``(key, shown key)`` of the title group a row without a product key joins: the group of
        the row before when it has the same title (case and spaces aside), else a new one; a row
        without a title or without variation values is a product of its own (``("", "")``)."""
        if not title or not any(v.strip() for v in attrs.values()):
            self._run = None
            return "", ""
        folded = " ".join(title.split()).casefold()
        if self._run is not None and self._run[0] == folded:  # the group of the row before: held
            return self._run[1], self._open[self._run[1]].product.key or ""
        key = f"\x00title\x00{row}"  # never a product key a catalogue writes
        self._run = (folded, key)
        return key, _shown_title(title)

    def _product_values(self, acc: _Acc, key: str, row: int,
                        get: Callable[[str], str]) -> tuple[dict[str, str], bool]:
        """The fills of a row's blank product-level cells, and whether it wrote a value in
        conflict with its product's."""
        fills: dict[str, str] = {}
        conflict = False
        keys = acc.keys
        full = self._full.get(key)
        if full is not None:
            self._full.move_to_end(key)
        for f in self._product_fields:
            text = get(f)
            first = keys.get(f)
            if not text:
                if first is not None:
                    value = first if isinstance(first, str) else (full or _EMPTY).get(f)
                    if value:
                        fills[f] = value
                continue
            if len(text) <= _SHORT:
                same: str | bytes = text
            elif first is not None and full is not None and full.get(f) == text:
                same = first  # the product's own text, remembered whole: its digest is the first one
            else:
                same = _same_key(text)
            if first is None:
                keys[f] = same
                acc.product.values[f] = _preview(text)
                if not isinstance(same, str):
                    if full is None:
                        full = self._remember(key)
                    full[f] = text
            elif same != first:
                groups = acc.groups.setdefault(f, {})
                group = groups.get(same)
                if group is None:
                    group = groups[same] = ValueGroup(_preview(text), [])
                group.rows.append(row)
                conflict = True
        return fills, conflict

    def _remember(self, key: str) -> dict[str, str]:
        full = self._full[key] = {}
        if len(self._full) > _RECENT:
            self._full.popitem(last=False)
        return full

    def record(self, failed: bool) -> None:
        """The status of the next row's result (results arrive in the order rows were noted)."""
        self._failed.append(1 if failed else 0)

    def record_batch(self, failed: bytes) -> None:
        """The statuses of a batch of consecutive rows (``1`` = fail)."""
        self._failed.extend(failed)

    def failed(self, sku: Sku) -> bool:
        """True when the SKU's row has an error-level finding of its own."""
        return sku.position < len(self._failed) and bool(self._failed[sku.position])

    @property
    def product_count(self) -> int:
        """Products so far."""
        return self._products

    def products(self, start: int = 0, stop: int | None = None) -> Iterator[Product]:
        """Every product, in the order of its first row, with its conflicts resolved into groups
        (those on disk read back one at a time, as they are reached); ``start``/``stop``: only
        those at these places of that order. Past the start, those on disk are read through a
        connection of their own (a forked copy of this process may read them so)."""
        held = {acc.seq: acc for acc in self._open.values()}
        held.update(self._pending)  # type: ignore[arg-type]
        stored = iter(self._spool.items(start, own=start > 0) if self._spool is not None else ())
        for seq in range(start, self._products if stop is None else min(stop, self._products)):
            item = held.get(seq)
            if item is None:
                got, item = next(stored)
                assert got == seq, (got, seq)
            if isinstance(item, Product):
                yield item
                continue
            product = item.product
            if item.groups:
                product.conflicts = {}
                for f, groups in item.groups.items():
                    others = [g for g in groups.values()]
                    taken = {r for g in others for r in g.rows}
                    first = ValueGroup(product.values.get(f, ""), [r for r in product.rows if r not in taken])
                    product.conflicts[f] = [first, *others]
                item.groups = {}
            yield product


class _Spool:
    """A temporary SQLite file of products: each by its place in the order of first rows, a
    keyed one taken back out when a later row of it arrives."""

    def __init__(self) -> None:
        folder = tempfile.TemporaryDirectory(prefix="shelfcheck-products-")
        self._path = f"{folder.name}/products.sqlite"
        self._db = sqlite3.connect(self._path, isolation_level=None)
        weakref.finalize(self, _close, self._db, folder)  # closed, then removed, with the tracker
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                               "CREATE TABLE item (seq INTEGER PRIMARY KEY, key TEXT, data BLOB);"
                               "CREATE INDEX item_key ON item (key);")

    def put_products(self, products: list[tuple[int, Product]]) -> None:
        self._insert(((seq, None, _dumps(_plain_product(p))) for seq, p in products))

    def put_accs(self, accs: list[tuple[str, _Acc]]) -> None:
        self._insert(((acc.seq, key, _dumps(_plain_acc(acc))) for key, acc in accs))

    def _insert(self, items: Iterator[tuple[int, str | None, bytes]]) -> None:
        """Insert in one transaction (a transaction per product measured 30 µs a product)."""
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT INTO item VALUES (?, ?, ?)", items)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def take(self, key: str) -> _Acc | None:
        row = self._db.execute("SELECT seq, data FROM item WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        self._db.execute("DELETE FROM item WHERE seq = ?", (row[0],))
        return _acc(row[0], pickle.loads(row[1]))

    def items(self, start: int = 0, *, own: bool = False) -> Iterator[tuple[int, Product | _Acc]]:
        """The products from place ``start`` on, in order; ``own``: through a connection opened
        for it (read-only), not the tracker's."""
        db = sqlite3.connect(f"{Path(self._path).as_uri()}?mode=ro", uri=True) if own else self._db  # path escaped
        try:
            for seq, key, data in db.execute("SELECT seq, key, data FROM item WHERE seq >= ? ORDER BY seq",
                                             (start,)):
                plain = pickle.loads(data)
                yield seq, _product(plain) if key is None else _acc(seq, plain)
        finally:
            if own:
                db.close()


# Products go to disk as plain tuples, lists and dicts: pickled several times faster than the
# dataclasses themselves.
def _dumps(plain: Any) -> bytes:
    return pickle.dumps(plain, pickle.HIGHEST_PROTOCOL)


def _plain_acc(acc: _Acc) -> tuple[Any, ...]:
    groups = {f: [(same, g.value, g.rows) for same, g in by.items()] for f, by in acc.groups.items()}
    return _plain_product(acc.product), acc.keys, groups


def _plain_product(p: Product) -> tuple[Any, ...]:
    return (p.key, p.values, [(s.row, s.seller_sku, s.sales_attributes, s.values, s.position) for s in p.skus])


def _product(plain: tuple[Any, ...]) -> Product:
    key, values, skus = plain
    return Product(key, values, [Sku(*s) for s in skus])


def _acc(seq: int, plain: tuple[Any, ...]) -> _Acc:
    product, keys, groups = plain
    acc = _Acc(seq, _product(product))
    acc.keys = keys
    acc.groups = {f: {same: ValueGroup(value, rows) for same, value, rows in by} for f, by in groups.items()}
    return acc


def _close(db: sqlite3.Connection, folder: tempfile.TemporaryDirectory[str]) -> None:
    db.close()
    folder.cleanup()
