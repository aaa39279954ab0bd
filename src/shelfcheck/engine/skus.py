"""The first row of each seller SKU seen so far in a run (``duplicate_sku``), in compact memory.

Up to :data:`HELD_SKUS` distinct SKUs are kept as text in a dict. When it is full, its SKUs move
to sorted arrays of a 96-bit fingerprint each (Python's string hash and the CRC-32 of the UTF-8
text) with their first rows: about 20 bytes a SKU instead of about 120, so a catalogue of
millions of SKUs stays within tens of megabytes. Two different SKUs are taken for one only if
both parts of their fingerprints agree: less than one chance in 10^16 for a catalogue of a
million SKUs.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

__all__ = ["HELD_SKUS", "FirstRows"]

# Distinct SKUs kept as text; the older ones move to the fingerprint arrays.
HELD_SKUS = 100_000
_hash = hash  # the first part of a fingerprint (a name of its own, so a test can make it collide)


class FirstRows:
    """The first row of each seller SKU seen so far in a run (duplicate SKUs)."""

    def __init__(self, held: int | None = None) -> None:
        self._first: dict[str, int] = {}
        self._held = held if held is not None else HELD_SKUS
        self._older = _Fingerprints()

    def note(self, sku: str, row: int) -> int | None:
        """The first row of ``sku`` before this one (``None``: this is the first, or no SKU)."""
        return self.note_many([sku], [row])[0]

    def note_many(self, skus: Sequence[str], rows: Sequence[int]) -> list[int | None]:
        """:meth:`note` for consecutive rows, the older SKUs looked up together."""
        older = self._older.find(skus) if self._older else None
        first_of = self._first
        out: list[int | None] = []
        for n, (sku, row) in enumerate(zip(skus, rows)):
            if not sku:
                out.append(None)
                continue
            first = first_of.get(sku)
            if first is None and older is not None:
                first = older[n]
            if first is None:
                first_of[sku] = row
            out.append(first)
        if len(first_of) >= self._held:  # after the batch: its lookups saw the arrays as they were
            self._move_older()
        return out

    def _move_older(self) -> None:
        self._older.add(self._first)
        self._first = {}


def _crc(sku: str) -> int:
    return zlib.crc32(sku.encode("utf-8", "surrogatepass"))


class _Fingerprints:
    """One sorted array of ``(hash, crc, first row)``; SKUs join it many at a time (two sorted
    runs merged by a stable sort, in about linear time), so a chunk's SKUs are looked up with one
    binary search."""

    def __init__(self) -> None:
        self._arrays: tuple[Any, Any, Any] | None = None  # hashes (sorted), CRCs, first rows

    def __bool__(self) -> bool:
        return self._arrays is not None

    def add(self, first: dict[str, int]) -> None:
        import numpy as np

        hashes = np.fromiter(map(_hash, first), dtype=np.int64, count=len(first))
        crcs = np.fromiter(map(_crc, first), dtype=np.uint32, count=len(first))
        rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        arrays = _sorted(hashes, crcs, rows)
        if self._arrays is not None:
            arrays = _sorted(*(np.concatenate([a, b]) for a, b in zip(self._arrays, arrays)))
        self._arrays = arrays

    def find(self, skus: Sequence[str]) -> list[int | None]:
        """The first row of each SKU among the older ones (``None``: not among them)."""
        import numpy as np

        out: list[int | None] = [None] * len(skus)
        if not skus or self._arrays is None:
            return out
        known, known_crcs, known_rows = self._arrays
        hashes = np.fromiter(map(_hash, skus), dtype=np.int64, count=len(skus))
        at = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
        same = np.flatnonzero(known[at] == hashes)  # the same hash: compare the CRCs
        if not len(same):
            return out
        crcs = np.fromiter((_crc(skus[n]) for n in same), dtype=np.uint32, count=len(same))
        first = at[same]
        matched = known_crcs[first] == crcs
        for n, row in zip(same[matched].tolist(), known_rows[first[matched]].tolist()):
            out[n] = row
        for n, crc in zip(same[~matched].tolist(), crcs[~matched].tolist()):
            i, h = int(at[n]) + 1, hashes[n]  # another SKU of the same hash, after the first
            while i < len(known) and known[i] == h:
                if int(known_crcs[i]) == crc:
                    out[n] = int(known_rows[i])
                    break
                i += 1
        return out


def _sorted(hashes: Any, crcs: Any, rows: Any) -> tuple[Any, Any, Any]:
    import numpy as np

    order = np.argsort(hashes, kind="stable")  # timsort: two sorted runs merge in linear time
    return hashes[order], crcs[order], rows[order]
