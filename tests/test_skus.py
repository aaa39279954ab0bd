"""The first row of each seller SKU (``duplicate_sku``): exact while the SKUs fit in memory as
text, and the same once the older ones are kept as fingerprints."""

from __future__ import annotations

import random

import pytest

from shelfcheck.engine import skus as skus_module
from shelfcheck.engine.skus import FirstRows


def _catalogue_skus(count: int) -> list[str]:
    rng = random.Random(7)
    return [rng.choice(["", f"BN-{rng.randrange(800)}", f"蓝色-{rng.randrange(800)}", f" x{rng.randrange(50)}\udc80"])
            for _ in range(count)]


def _expected(skus: list[str]) -> list[int | None]:
    first: dict[str, int] = {}
    out: list[int | None] = []
    for row, sku in enumerate(skus):
        out.append(first.get(sku) if sku else None)
        if sku:
            first.setdefault(sku, row)
    return out


@pytest.mark.parametrize("held", [1, 5, 64, 10_000])
def test_first_rows_match_a_plain_dict_one_row_and_a_chunk_at_a_time(held: int) -> None:
    skus = _catalogue_skus(6000)
    expected = _expected(skus)
    assert sum(e is not None for e in expected) > 3000  # many duplicates, far apart
    one = FirstRows(held)
    assert [one.note(sku, row) for row, sku in enumerate(skus)] == expected
    many = FirstRows(held)
    got: list[int | None] = []
    for start in range(0, len(skus), 37):
        part = skus[start:start + 37]
        got += many.note_many(part, list(range(start, start + len(part))))
    assert got == expected
    assert bool(many._older) is (held < 2000)  # the older SKUs did move to the fingerprints


def test_skus_whose_hashes_collide_are_told_apart_by_their_crc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(skus_module, "_hash", lambda sku: len(sku))  # every SKU of a length collides
    skus = [f"S-{n:03d}" for n in range(300)] * 2
    rows = FirstRows(10)
    assert rows.note_many(skus, list(range(600)))[300:] == list(range(300))
    assert rows.note("S-999", 600) is None  # the same hash as all of them, a new SKU
