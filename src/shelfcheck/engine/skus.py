"""The first row of each seller SKU seen so far in a run (``duplicate_sku``), in compact memory.

Up to :data:`HELD_SKUS` distinct SKUs are kept as text in a dict. When it is full, its SKUs move
to sorted arrays of a 96-bit fingerprint each (Python's string hash and the CRC-32 of the UTF-8
text) with their first rows: about 20 bytes a SKU instead of about 120, so a catalogue of
millions of SKUs stays within tens of megabytes. Two different SKUs are
taken for one only if both parts of their fingerprints agree: less than one chance in 10^16 for
a catalogue of a million SKUs.
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
        if not sku:
            return None
        first = self._first.get(sku)
        if first is None and self._older:
            first = self._older.find([sku])[0]
        if first is None:
            self._first[sku] = row
            if len(self._first) >= self._held:
                self._move_older()
        return first

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
    """Sorted runs of ``(hash, crc, first row)``; a run merges with the one before it when that
    one is not larger (so there are about log2(SKUs / HELD_SKUS) runs)."""

    def __init__(self) -> None:
        self._runs: list[tuple[Any, Any, Any]] = []

    def __bool__(self) -> bool:
        return bool(self._runs)

    def add(self, first: dict[str, int]) -> None:
        import numpy as np

        hashes = np.fromiter(map(_hash, first), dtype=np.int64, count=len(first))
        crcs = np.fromiter(map(_crc, first), dtype=np.uint32, count=len(first))
        rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        run = _sorted(hashes, crcs, rows)
        while self._runs and len(self._runs[-1][0]) <= len(run[0]):
            before = self._runs.pop()
            run = _sorted(*(np.concatenate([a, b]) for a, b in zip(before, run)))
        self._runs.append(run)

    def find(self, skus: Sequence[str]) -> list[int | None]:
        """The first row of each SKU among the older ones (``None``: not among them)."""
        import numpy as np

        out: list[int | None] = [None] * len(skus)
        if not skus:
            return out
        hashes = np.fromiter(map(_hash, skus), dtype=np.int64, count=len(skus))
        crcs: list[int] | None = None
        for run_hashes, run_crcs, run_rows in self._runs:
            at = np.minimum(np.searchsorted(run_hashes, hashes), len(run_hashes) - 1)
            for n in np.flatnonzero(run_hashes[at] == hashes):  # the same hash: compare the CRCs
                if crcs is None:
                    crcs = [_crc(s) for s in skus]
                i, h = int(at[n]), hashes[n]
                while i < len(run_hashes) and run_hashes[i] == h:
                    if int(run_crcs[i]) == crcs[n]:
                        out[n] = int(run_rows[i])
                        break
                    i += 1
        return out


def _sorted(hashes: Any, crcs: Any, rows: Any) -> tuple[Any, Any, Any]:
    import numpy as np

    order = np.argsort(hashes, kind="stable")
    return hashes[order], crcs[order], rows[order]
