"""The four-level diagnosis of a failed submission (contract §7, product brief "四级顺序").

1. **failure_reason** — the last failure recorded in the ledger (Seller Center > Products >
   Upload Status > Failure Reason) and what the preflight finds now on the listing and the shop
   (everything but documents and inventory);
2. **documents** — the compliance documents the category needs, usable or not (Account Settings >
   Compliance Documents: only ``Verified`` counts);
3. **inventory_sync** — the drift between ERP and platform stock, from ``--inventory`` or else
   the last ``inventory reconcile`` stored in the ledger (Analytics > Inventory > Sync History);
4. **escalation** — nothing above explains a recorded failure: file the support case.

The walk stops at the first level with a problem; the levels after it are ``skipped``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.diagnose.preflight import SkuPreflight, finding_json, preflight_sku
from shelfcheck.diagnose.reasons import describe_reason
from shelfcheck.i18n import catalogue
from shelfcheck.ledger.guard import LockRule, format_instant

__all__ = ["DOCUMENT_FAMILIES", "INVENTORY_FAMILIES", "LEVELS", "Diagnosis", "Level", "diagnose"]

LEVELS = ((1, "failure_reason"), (2, "documents"), (3, "inventory_sync"), (4, "escalation"))
DOCUMENT_FAMILIES = {"documents", "ingredients"}
INVENTORY_FAMILIES = {"inventory"}
VERDICTS = {1: "fix_listing", 2: "fix_documents", 3: "calibrate_inventory", 4: "escalate"}


@dataclass
class Level:
    """One level's outcome."""

    level: int
    name: str
    result: str = "skipped"  # ok | problem | skipped
    findings: list[dict[str, Any]] = field(default_factory=list)
    next_step: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "name": self.name, "result": self.result,
                "findings": self.findings, "next_step": self.next_step}


@dataclass
class Diagnosis:
    """The walk through the four levels for one SKU."""

    sku: str
    as_of: dt.datetime
    levels: list[Level]
    verdict: str
    lock: dict[str, Any] | None = None
    product_id: str | None = None

    @property
    def stopped_at(self) -> int | None:
        """The level that explained the failure (``None`` when none did)."""
        return next((lv.level for lv in self.levels if lv.result == "problem"), None)

    def to_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "as_of": format_instant(self.as_of), "product_id": self.product_id,
                "levels": [lv.to_json() for lv in self.levels], "verdict": self.verdict, "lock": self.lock}


def _level1(pre: SkuPreflight, ledger: Any, sku: str, instant: dt.datetime, lang: str,
            status: Any) -> Level:
    cat = catalogue(lang)
    level = Level(1, "failure_reason", "ok")
    found_now = {f.code for f in pre.result.findings} | {f.code for f in pre.shop_findings}
    last = ledger.last_attempt(sku, as_of=instant) if ledger is not None else None
    recorded_open = False
    if last is not None and last.outcome == "failed":
        for reason in last.reasons:
            info = describe_reason(reason, lang, pre.run.datasets)
            # a platform code is still found when a finding that catches it is found now
            still = (bool(found_now & set(info["findings"])) or None) if info["findings"] else None
            if info["kind"] == "finding":
                still = info["code"] in found_now
            recorded_open = recorded_open or still is not False
            level.findings.append({
                "code": info["code"], "severity": "error", "field": None, "message": info["message"],
                "fix": info["fix"], "evidence": {"failed_at": format_instant(last.attempted_at),
                                                 "product_id": last.product_id},
                "source": "ledger", "still_found": still, "fixable": info["fixable"], "retry": info["retry"],
                "caught_by": info["findings"]})
    listed = {f["code"] for f in level.findings}
    for f in pre.errors(exclude=DOCUMENT_FAMILIES | INVENTORY_FAMILIES):
        if f.code not in listed:
            level.findings.append(finding_json(f, cat))
    if not level.findings:
        return level
    level.result = "problem"
    left = status.attempts_left if status is not None else None
    if status is not None and status.locked:
        level.next_step = cat.ui("diag_next_locked", locked_until=format_instant(status.locked_until))
    elif recorded_open or any(f["source"] == "preflight" for f in level.findings):
        level.next_step = cat.ui("diag_next_fix_listing", attempts_left=left if left is not None else "-")
    else:
        level.next_step = cat.ui("diag_next_resubmit", attempts_left=left if left is not None else "-")
    return level


def _level2(pre: SkuPreflight, lang: str) -> Level:
    cat = catalogue(lang)
    level = Level(2, "documents", "ok")
    errors = pre.errors(DOCUMENT_FAMILIES)
    level.findings = [finding_json(f, cat) for f in pre.of_family(DOCUMENT_FAMILIES)]
    if errors:
        level.result = "problem"
        level.next_step = cat.ui("diag_next_documents")
    return level


def _level3(pre: SkuPreflight, ledger: Any, sku: str, instant: dt.datetime, lang: str,
            inventory_given: bool) -> Level:
    cat = catalogue(lang)
    level = Level(3, "inventory_sync")
    if inventory_given:
        level.findings = [finding_json(f, cat) for f in pre.of_family(INVENTORY_FAMILIES)]
        level.result = "problem" if pre.errors(INVENTORY_FAMILIES) else "ok"
    else:
        record = ledger.last_sync(sku, as_of=instant) if ledger is not None else None
        if record is None:
            level.next_step = cat.ui("diag_next_no_inventory")
            return level
        item = record.item
        evidence = {"erp": item.erp, "platform": item.platform, "drift": item.drift,
                    "tolerance": record.tolerance, "synced_at": format_instant(record.synced_at)}
        if item.flagged:
            level.findings.append({
                "code": "inventory_drift_exceeded", "severity": "error", "field": "quantity",
                "message": cat.render("inventory_drift_exceeded", "message", evidence, {}),
                "fix": cat.render("inventory_drift_exceeded", "fix", evidence, {}),
                "evidence": evidence, "source": "sync_history"})
            level.result = "problem"
        else:
            level.result = "ok"
    if level.result == "problem":
        level.next_step = cat.ui("diag_next_inventory", tolerance=pre.run.policy.inventory.tolerance)
    return level


def diagnose(
    sku: str,
    catalog: str | Path,
    *,
    documents: str | Path | None = None,
    shop: str | Path | None = None,
    inventory: str | Path | None = None,
    policy: Any = None,
    as_of: dt.date | None = None,
    ledger: Any = None,
    lang: str = "en",
    sheet: str | None = None,
    datasets: Any = None,
    columns: Any = None,
) -> Diagnosis:
    """Walk the four levels for ``sku`` and stop at the first that explains the failure.

    Raises:
        InputError: unreadable input, or the SKU is not in the catalogue.
    """
    cat = catalogue(lang)
    pre = preflight_sku(catalog, sku, documents=documents, shop=shop, inventory=inventory, policy=policy,
                        as_of=as_of, ledger=ledger, sheet=sheet, datasets=datasets,
                        columns=columns)
    instant = pre.run.as_of_time or dt.datetime.now(dt.timezone.utc)
    status = None
    if ledger is not None:
        status = ledger.status(sku, rule=LockRule.from_policy(pre.run.policy), as_of=instant)
    levels: list[Level] = []
    checks = (
        lambda: _level1(pre, ledger, sku, instant, lang, status),
        lambda: _level2(pre, lang),
        lambda: _level3(pre, ledger, sku, instant, lang, inventory is not None),
    )
    stopped = False
    for (number, name), run in zip(LEVELS, checks):
        if stopped:
            levels.append(Level(number, name))
            continue
        level = run()
        levels.append(level)
        stopped = level.result == "problem"
    last = ledger.last_attempt(sku, as_of=instant) if ledger is not None else None
    escalation = Level(4, "escalation")
    if stopped:
        verdict = VERDICTS[next(lv.level for lv in levels if lv.result == "problem")]
    elif last is not None and last.outcome == "failed":
        escalation.result = "problem"
        escalation.findings = [{"code": "unexplained_failure", "severity": "error", "field": None,
                                "message": cat.ui("diag_unexplained", failed_at=format_instant(last.attempted_at)),
                                "fix": "", "evidence": {"failed_at": format_instant(last.attempted_at),
                                                        "reasons": list(last.reasons)},
                                "source": "ledger"}]
        escalation.next_step = cat.ui("diag_next_case", sku=sku)
        verdict = VERDICTS[4]
    else:
        escalation.result = "ok"
        escalation.next_step = cat.ui("diag_next_nothing")
        verdict = "no_problem_found"
    levels.append(escalation)
    product_id = pre.listing.get("product_id") or (last.product_id if last is not None else None)
    return Diagnosis(sku, instant, levels, verdict, status.to_json() if status is not None else None,
                     product_id or None)
