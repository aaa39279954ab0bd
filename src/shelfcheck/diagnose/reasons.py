"""A failure reason, whatever its kind: a shelfcheck finding code, a platform code, or free text."""

from __future__ import annotations

from typing import Any

from shelfcheck.diagnose.coverage import coverage
from shelfcheck.diagnose.platform_errors import explain_platform_code, is_platform_code
from shelfcheck.rules import RULES
from shelfcheck.rules.docs import rule_text

__all__ = ["NOT_FIXABLE", "describe_reason"]

# PENDING: ``sku_locked`` is declared in rules/ledger.py, which does not say ``fixable=False``
# yet; until it does, it is listed here. Every other code says it with its rule.
_NOT_FIXABLE_PENDING = frozenset({"sku_locked"})


def _fixable(code: str) -> bool:
    return RULES[code].fixable and code not in _NOT_FIXABLE_PENDING


# Finding codes no edit can fix (a closed category, a locked SKU that only expires), from the rules.
NOT_FIXABLE = frozenset(code for code in RULES if not _fixable(code))


def _summary(code: str, lang: str) -> str:
    return rule_text(code, lang).summary.replace("``", "")


def _fix(code: str, lang: str) -> str:
    return " ".join(rule_text(code, lang).fix.replace("``", "`").split())


def describe_reason(reason: str, lang: str = "en", datasets: Any = None) -> dict[str, Any]:
    """What a recorded reason means: ``{code, kind, message, fix, fixable, retry, findings}``.

    ``kind`` is ``finding`` (a shelfcheck code), ``platform`` (a platform code) or ``other``;
    ``fixable`` is ``None`` when nothing is known about the reason; ``findings`` are the finding
    codes that catch the reason before submission (the code itself for a finding; for a platform
    code, the findings of the coverage table — empty when only the platform can decide it).
    """
    code = reason.strip()
    if code in RULES:
        return {"code": code, "kind": "finding", "message": _summary(code, lang), "fix": _fix(code, lang),
                "fixable": _fixable(code), "retry": None, "findings": [code]}
    if is_platform_code(code):
        info = explain_platform_code(code, datasets)
        if info is not None:
            label = info.label.get(lang) if info.label else None
            return {"code": info.code, "kind": "platform",
                    "message": label or info.cause[lang], "fix": info.fix[lang],
                    "fixable": info.fixable, "retry": info.retry,
                    "findings": list(coverage().findings(info.code))}
    return {"code": code, "kind": "other", "message": code, "fix": "", "fixable": None, "retry": None,
            "findings": []}
