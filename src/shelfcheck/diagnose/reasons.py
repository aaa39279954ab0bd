"""A failure reason, whatever its kind: a shelfcheck finding code, a platform code, or free text."""

from __future__ import annotations

from typing import Any

from shelfcheck.diagnose.platform_errors import explain_platform_code, is_platform_code
from shelfcheck.i18n import catalogue
from shelfcheck.rules import RULES

__all__ = ["NOT_FIXABLE", "describe_reason"]

# Finding codes no edit can fix: the category is closed, or the SKU is locked (it only expires).
NOT_FIXABLE = frozenset({"category_prohibited", "sku_locked"})


def _summary(code: str, lang: str) -> str:
    if lang == "zh":
        text = catalogue("zh").text(code, "summary")
        if text:
            return text
    return RULES[code].doc.summary.replace("``", "")


def _fix(code: str, lang: str) -> str:
    if lang == "zh":
        text = catalogue("zh").text(code, "fix")
        if text and "{" not in text:
            return text
    return " ".join(RULES[code].doc.sections.get("Fix", "").replace("``", "`").split())


def describe_reason(reason: str, lang: str = "en", datasets: Any = None) -> dict[str, Any]:
    """What a recorded reason means: ``{code, kind, message, fix, fixable, retry}``.

    ``kind`` is ``finding`` (a shelfcheck code), ``platform`` (a platform code) or ``other``;
    ``fixable`` is ``None`` when nothing is known about the reason.
    """
    code = reason.strip()
    if code in RULES:
        return {"code": code, "kind": "finding", "message": _summary(code, lang), "fix": _fix(code, lang),
                "fixable": code not in NOT_FIXABLE, "retry": None}
    if is_platform_code(code):
        info = explain_platform_code(code, datasets)
        if info is not None:
            label = info.label.get(lang) if info.label else None
            return {"code": info.code, "kind": "platform",
                    "message": label or info.cause[lang], "fix": info.fix[lang],
                    "fixable": info.fixable, "retry": info.retry}
    return {"code": code, "kind": "other", "message": code, "fix": "", "fixable": None, "retry": None}
