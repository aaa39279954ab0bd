"""Findings, severities and the report: the data every reporter renders.

A rule yields small :class:`Hit` values (where and what was measured); the engine turns each into
a frozen :class:`Finding` carrying the code, the severity the policy gives that code, the field it
points at and the evidence. Messages are not stored: they are rendered from the message catalogue
in the language asked for, from the same finding, so codes never change with the language.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NamedTuple

__all__ = ["Finding", "Hit", "ListingResult", "RenderedBatch", "Report", "Severity", "Summary", "Where",
           "share_key"]


class Severity(IntEnum):
    """How much a finding matters. Ordered, so ``max()`` gives the worst."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        """The lower-case name used in reports and policy files: ``error``, ``warning``, ``info``."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read ``error``/``warning``/``info`` (any case)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


class Hit(NamedTuple):
    """What a rule found: the field it points at, the evidence, and extra template values.

    ``evidence`` holds the measured value and the threshold; ``ctx`` holds values used only to
    fill the message (e.g. a suggestion). Both are plain JSON-compatible dicts.
    """

    field: str
    evidence: dict[str, Any] = {}
    ctx: dict[str, Any] = {}


_WHERE = re.compile(r"^([^\[.]+)(?:\[([^\]]*)\])?(?:\.(.+))?$")
_BASE = re.compile(r"^([^\[.]*)")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a finding points, taken apart: the field (a catalogue column, a shop section), the
    position in a list-valued field, the key of an item named by an id, a member below it.

    ``title`` → ``Where("title")``; ``main_images[2]`` → ``index=2``; ``documents[FCC-7]`` →
    ``key="FCC-7"``; ``documents[FCC-7].file`` → ``key="FCC-7", member="file"``;
    ``app.api_version`` → ``Where("app", member="api_version")``. ``text`` is the string the
    reports print (the finding's ``field``), unchanged.
    """

    field: str
    index: int | None = None
    key: str | None = None
    member: str | None = None
    text: str = ""

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def parse(text: str) -> Where:
        """The structured form of a finding's ``field`` string (parsed once per distinct text)."""
        text = text or ""
        match = _WHERE.match(text)
        if match is None:  # not one of the shapes above: the field before any bracket or dot
            base = _BASE.match(text)
            return Where(base.group(1) if base else "", text=text)
        base, inside, member = match.groups()
        index = int(inside) if inside is not None and inside.isdigit() else None
        key = inside if inside is not None and index is None else None
        return Where(base, index, key, member, text)

    @property
    def position(self) -> int:
        """The position in a list-valued field, ``-1`` when the finding points at no item."""
        return -1 if self.index is None else self.index


_SHARE_COUNTER = itertools.count()
_SHARE_PROCESS: tuple[int, bytes] = (0, b"")   # (pid, random token) of the process handing keys out


def share_key() -> tuple[bytes, int]:
    """A key for one finding the engine shares between listings, unique across the processes
    of a run (a worker's keys never equal the parent's, nor another worker's): reporters
    remember what they rendered for a shared finding by this key instead of by ``id()``."""
    global _SHARE_PROCESS
    pid = os.getpid()
    if _SHARE_PROCESS[0] != pid:  # first call in this process (or in a forked child)
        _SHARE_PROCESS = (pid, os.urandom(8))
    return _SHARE_PROCESS[1], next(_SHARE_COUNTER)


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the platform would refuse a listing (or the shop).

    Listings that share the values a memoised rule family reads share its findings: the same
    objects, evidence included, so treat a finding as read-only.
    """

    code: str
    severity: Severity
    field: str
    evidence: dict[str, Any]
    ctx: dict[str, Any]
    # Set by the engine on findings it shares between listings (see ``share_key``): equal keys,
    # equal findings. ``None`` for a finding of one listing only.
    shared: Hashable | None = field(default=None, compare=False)

    @property
    def where(self) -> Where:
        """The structured location of ``field`` (derived from it, parsed once per text)."""
        return Where.parse(self.field)

    @property
    def values(self) -> dict[str, Any]:
        """Template values: evidence, then ctx (ctx wins on a clash)."""
        return {**self.evidence, **self.ctx}


@dataclass(slots=True)
class ListingResult:
    """The findings for one catalogue row."""

    row: int
    seller_sku: str
    findings: list[Finding]
    category: str = ""
    # Set by the reporters once the products are known: the row's product has an error-level
    # product-level finding, so the row fails with it (contract §4).
    failed_by_product: bool = False

    @property
    def status(self) -> str:
        """``fail`` when any finding is an error (or its product fails), else ``pass``."""
        if self.failed_by_product:
            return "fail"
        return "fail" if any(f.severity is Severity.ERROR for f in self.findings) else "pass"


@dataclass(slots=True)
class Summary:
    """Counts over a whole run."""

    listings: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    products: int = 0
    products_passed: int = 0
    products_failed: int = 0

    def add_product(self, status: str, findings: list[Finding], turned: int = 0) -> None:
        """Count one product and its product-level findings (its rows are counted as listings);
        ``turned`` rows of it passed on their own findings and fail by the product's (contract
        §4: a row's status counts its product), so they move from passed to failed."""
        self.passed -= turned
        self.failed += turned
        self.products += 1
        if status == "fail":
            self.products_failed += 1
        else:
            self.products_passed += 1
        self.add_findings(findings)

    def add_findings(self, findings: list[Finding]) -> None:
        """Count findings by severity and code."""
        for f in findings:
            if f.severity is Severity.ERROR:
                self.errors += 1
            elif f.severity is Severity.WARNING:
                self.warnings += 1
            else:
                self.infos += 1
            self.by_code[f.code] = self.by_code.get(f.code, 0) + 1

    def add_listing(self, result: ListingResult) -> None:
        """Count one listing and its findings."""
        self.listings += 1
        if result.status == "fail":
            self.failed += 1
        else:
            self.passed += 1
        self.add_findings(result.findings)

    def merge(self, other: Summary) -> None:
        """Add the counts of another summary (of other listings or products) to this one."""
        self.listings += other.listings
        self.passed += other.passed
        self.failed += other.failed
        self.errors += other.errors
        self.warnings += other.warnings
        self.infos += other.infos
        for code, count in other.by_code.items():
            self.by_code[code] = self.by_code.get(code, 0) + count
        self.products += other.products
        self.products_passed += other.products_passed
        self.products_failed += other.products_failed


@dataclass(slots=True)
class RenderedBatch:
    """Consecutive listings already rendered by a reporter: one text each, and their counts.

    Large catalogues are rendered where their rules run, in worker processes; a batch is what
    comes back, so the parent only writes texts and adds up counts.
    """

    texts: list[str]
    summary: Summary
    failed: bytes = b""  # one byte per listing, 1 when it fails (the products' statuses need it)


@dataclass(slots=True)
class Report:
    """The outcome of one ``check``: shop findings, one result per listing, and the summary."""

    policy: dict[str, str]
    as_of: str
    source: str
    shop_findings: list[Finding]
    listings: list[ListingResult]
    summary: Summary
    datasets: dict[str, str] = field(default_factory=dict)
    # How the catalogue was read: header_row, skipped_rows, ignored_columns (contract §4).
    layout: dict[str, object] = field(default_factory=dict)
    notes: list[Any] = field(default_factory=list)  # RunNote (shelfcheck.notes), said once at the top
    products: list[Any] = field(default_factory=list)  # ProductResult (shelfcheck.rules.variants)

    @property
    def exit_code(self) -> int:
        """``1`` when any error-level finding exists (shop or listing), else ``0``."""
        return 1 if self.summary.errors else 0
