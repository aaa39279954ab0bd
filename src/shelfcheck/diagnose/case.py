"""The Seller Center support case draft (level 4 of the diagnosis).

Category ``Listing & Catalog`` > ``Product Submission Failure``, with what the platform needs
to answer: the product ID, the timestamp of the failed submission, the failure reasons and the
screenshot to attach. The case text is in English (it is read by TikTok Shop US support); the
guidance around it follows ``--lang``.

``--urgent`` ("Urgent: Product Launch Deadline") is granted only when a purchase order file is
given and every failure reason is fixable — never for a prohibited category, never for a locked
SKU, never when the reasons are unknown. Otherwise the draft is made without it and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.diagnose.levels import DOCUMENT_FAMILIES, INVENTORY_FAMILIES  # noqa: F401 (re-export)
from shelfcheck.diagnose.preflight import preflight_sku
from shelfcheck.diagnose.reasons import describe_reason
from shelfcheck.errors import InputError, Msg
from shelfcheck.ledger.guard import format_instant

__all__ = ["CASE_CATEGORY", "CaseDraft", "draft_case", "render_case"]

CASE_CATEGORY = ("Listing & Catalog", "Product Submission Failure")
URGENT_LABEL = "Urgent: Product Launch Deadline"
PROHIBITED = frozenset({"category_prohibited"})


@dataclass
class CaseDraft:
    """Everything the case needs, in both languages where it is text."""

    sku: str
    product_id: str | None
    timestamp: dt.datetime | None
    reasons: list[dict[str, Any]]
    screenshot: dict[str, str]
    urgent_requested: bool = False
    urgent: bool = False
    urgent_refused: str | None = None  # urgent_needs_po | urgent_prohibited | urgent_unfixable | urgent_no_reasons
    po_file: str | None = None
    category: tuple[str, str] = CASE_CATEGORY
    text: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "category": list(self.category), "product_id": self.product_id,
                "timestamp": format_instant(self.timestamp), "reasons": self.reasons,
                "screenshot": self.screenshot, "urgent_requested": self.urgent_requested,
                "urgent": self.urgent, "urgent_refused": self.urgent_refused, "po_file": self.po_file,
                "draft": self.text}


_SCREENSHOT = {
    "en": "Seller Center > Products > Upload Status: the row of {product}, with the Failure Reason field "
          "and the error message visible (include the clock or the time shown).",
    "zh": "Seller Center > Products > Upload Status 页面中 {product} 这一行的截图,需看清 Failure Reason 字段和报错信息"
          "(最好带上时间)。",
}


def _reasons(pre: Any, ledger: Any, sku: str, instant: dt.datetime, datasets: Any) -> tuple[list[dict[str, Any]], Any]:
    last = ledger.last_attempt(sku, as_of=instant, outcome="failed") if ledger is not None else None
    codes: list[str] = list(last.reasons) if last is not None else []
    for f in pre.errors():
        if f.code not in codes:
            codes.append(f.code)
    reasons = []
    for code in codes:
        en, zh = describe_reason(code, "en", datasets), describe_reason(code, "zh", datasets)
        reasons.append({"code": en["code"], "kind": en["kind"], "fixable": en["fixable"],
                        "message": {"en": en["message"], "zh": zh["message"]},
                        "fix": {"en": en["fix"], "zh": zh["fix"]}})
    return reasons, last


def draft_case(
    sku: str,
    catalog: str | Path,
    *,
    documents: str | Path | None = None,
    shop: str | Path | None = None,
    inventory: str | Path | None = None,
    policy: Any = None,
    as_of: dt.date | None = None,
    ledger: Any = None,
    urgent: bool = False,
    po: str | Path | None = None,
    sheet: str | None = None,
    datasets: Any = None,
    columns: Any = None,
) -> CaseDraft:
    """Draft the support case for ``sku``.

    Raises:
        InputError: unreadable input, the SKU is not in the catalogue, or the PO file is missing.
    """
    if po is not None:
        po_path = Path(po)
        if not po_path.is_file():
            raise InputError(po_path, Msg("po_not_found"))
    pre = preflight_sku(catalog, sku, documents=documents, shop=shop, inventory=inventory, policy=policy,
                        as_of=as_of, ledger=ledger, sheet=sheet, datasets=datasets,
                        columns=columns)
    instant = pre.run.as_of_time or dt.datetime.now(dt.timezone.utc)
    reasons, last = _reasons(pre, ledger, sku, instant, pre.run.datasets)
    product_id = pre.listing.get("product_id") or None
    if product_id is None and ledger is not None:
        for attempt in reversed(ledger.attempts(sku, until=instant)):
            if attempt.product_id:
                product_id = attempt.product_id
                break
    product = f"product ID {product_id}" if product_id else f"seller SKU {sku}"
    product_zh = f"商品 ID {product_id}" if product_id else f"卖家 SKU {sku}"
    draft = CaseDraft(sku, product_id, last.attempted_at if last is not None else None, reasons,
                      {"en": _SCREENSHOT["en"].format(product=product),
                       "zh": _SCREENSHOT["zh"].format(product=product_zh)},
                      urgent_requested=urgent, po_file=str(po) if po is not None else None)
    if urgent:
        codes = {r["code"] for r in reasons}
        if po is None:
            draft.urgent_refused = "urgent_needs_po"
        elif codes & PROHIBITED or any(r["kind"] == "platform" and r["fixable"] is False and
                                       r["code"] in ("12052220", "12052446") for r in reasons):
            draft.urgent_refused = "urgent_prohibited"
        elif not reasons:
            draft.urgent_refused = "urgent_no_reasons"
        elif not all(r["fixable"] is True for r in reasons):
            draft.urgent_refused = "urgent_unfixable"
        else:
            draft.urgent = True
    draft.text = {"en": render_case(draft, "en"), "zh": render_case(draft, "zh")}
    return draft


_TEXT = {
    "en": {
        "subject": "Subject: Product submission failure — {product}",
        "category": "Category: {cat} > {sub}",
        "urgent": "Tick: {label} — purchase order attached ({po}).",
        "product_id": "Product ID: {value}",
        "sku": "Seller SKU: {value}",
        "time": "Time of the failed submission (UTC): {value}",
        "no_time": "Time of the failed submission (UTC): not recorded — add it from Upload Status",
        "reasons": "Failure reasons:",
        "no_reasons": "Failure reasons: none shown by the platform and none found by our own checks.",
        "checked": "We checked: the compliance documents (Account Settings > Compliance Documents) and "
                   "the inventory sync (Analytics > Inventory > Sync History).",
        "ask": "Request: please tell us which field or document blocks the submission, or re-review the "
               "listing if the reason above is resolved.",
        "attach": "Attach: screenshot of {shot}",
        "attach_po": "Attach: the purchase order ({po}).",
        "missing_id": "(no product ID yet: the product was never created)",
    },
    "zh": {
        "subject": "主题:商品提交失败 —— {product}",
        "category": "问题类别:{cat} > {sub}",
        "urgent": "勾选:{label} —— 已附采购订单(PO):{po}。",
        "product_id": "商品 ID:{value}",
        "sku": "卖家 SKU:{value}",
        "time": "提交失败时间(UTC):{value}",
        "no_time": "提交失败时间(UTC):未记录——请从 Upload Status 页面补上",
        "reasons": "失败原因:",
        "no_reasons": "失败原因:平台未显示原因,我们自己的检查也未发现问题。",
        "checked": "已自查:合规文件(Account Settings > Compliance Documents)和库存同步"
                   "(Analytics > Inventory > Sync History)。",
        "ask": "诉求:请告知是哪个字段或文件导致提交失败;如上述原因已解决,请重新审核该商品。",
        "attach": "附件:{shot}",
        "attach_po": "附件:采购订单(PO)文件 {po}。",
        "missing_id": "(尚无商品 ID:商品从未创建成功)",
    },
}


def render_case(draft: CaseDraft, lang: str = "en") -> str:
    """The case as text to paste into Seller Center > Help (right-hand corner) > submit a case."""
    t = _TEXT[lang]
    product = (f"product ID {draft.product_id}" if lang == "en" else f"商品 ID {draft.product_id}") \
        if draft.product_id else (f"seller SKU {draft.sku}" if lang == "en" else f"卖家 SKU {draft.sku}")
    lines = [t["category"].format(cat=draft.category[0], sub=draft.category[1])]
    if draft.urgent:
        lines.append(t["urgent"].format(label=URGENT_LABEL, po=Path(draft.po_file or "").name))
    lines += ["", t["subject"].format(product=product), "",
              t["product_id"].format(value=draft.product_id or t["missing_id"]),
              t["sku"].format(value=draft.sku)]
    lines.append(t["time"].format(value=format_instant(draft.timestamp)) if draft.timestamp else t["no_time"])
    if draft.reasons:
        lines.append(t["reasons"])
        for i, reason in enumerate(draft.reasons, start=1):
            lines.append(f"  {i}. {reason['code']} — {reason['message'][lang]}")
    else:
        lines.append(t["no_reasons"])
    lines += [t["checked"], t["ask"], "", t["attach"].format(shot=draft.screenshot[lang])]
    if draft.urgent:
        lines.append(t["attach_po"].format(po=Path(draft.po_file or "").name))
    return "\n".join(lines) + "\n"
