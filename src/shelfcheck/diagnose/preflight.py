"""Run the preflight on one SKU of a catalogue, with the ledger rules active."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError, Msg
from shelfcheck.findings import Finding, ListingResult, Severity
from shelfcheck.i18n import Catalogue
from shelfcheck.model import Listing
from shelfcheck.rules import RULES
from shelfcheck.rules.context import RunContext

__all__ = ["SkuPreflight", "finding_json", "preflight_sku"]


@dataclass
class SkuPreflight:
    """The SKU's catalogue row, its findings, the shop's findings, and the run they came from."""

    listing: Listing
    result: ListingResult
    shop_findings: list[Finding]
    run: RunContext

    def errors(self, families: set[str] | None = None, *, exclude: set[str] = frozenset()) -> list[Finding]:
        """Error-level findings of the listing (and the shop), by rule family."""
        found = []
        for f in [*self.shop_findings, *self.result.findings]:
            if f.severity is not Severity.ERROR:
                continue
            family = RULES[f.code].family if f.code in RULES else ""
            if families is not None and family not in families:
                continue
            if family in exclude:
                continue
            found.append(f)
        return found

    def of_family(self, families: set[str]) -> list[Finding]:
        """Every finding (any severity) of the listing in these families."""
        return [f for f in self.result.findings if f.code in RULES and RULES[f.code].family in families]


def preflight_sku(
    catalog: str | Path,
    sku: str,
    *,
    documents: str | Path | None = None,
    shop: str | Path | None = None,
    inventory: str | Path | None = None,
    policy: Any = None,
    as_of: dt.date | None = None,
    ledger: Any = None,
    sheet: str | None = None,
    datasets: Any = None,
    columns: Any = None,
) -> SkuPreflight:
    """Check the first catalogue row of ``sku`` (as ``check`` would, with ``ledger`` given).

    Raises:
        InputError: unreadable input, or no row with that seller SKU.
    """
    from shelfcheck.api import prepare

    run = prepare(catalog, documents=documents, shop=shop, inventory=inventory, policy=policy,
                  as_of=as_of, sheet=sheet, jobs=1, datasets=datasets, ledger=ledger,
                  columns=columns)
    with run.source as source:
        row = source.find(sku)
    if row is None:
        raise InputError(run.source.path, Msg("sku_no_row", sku=sku), column="seller_sku")
    result = next(iter(run.engine.check_listings([row])))
    return SkuPreflight(row, result, run.shop_findings, run.run)


def finding_json(finding: Finding, cat: Catalogue, source: str = "preflight") -> dict[str, Any]:
    """A finding as the contract's FINDING object, plus where it came from."""
    return {"code": finding.code, "severity": finding.severity.label, "field": finding.field,
            "message": cat.message(finding), "fix": cat.fix(finding), "evidence": dict(finding.evidence),
            "source": source}
