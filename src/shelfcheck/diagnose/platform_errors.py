"""Platform error codes in our own words: cause, fix, and whether a retry can help (en + zh).

Two kinds of code reach a seller:

* the codes sellers see in Seller Center and ERP logs: ``403-UNAUTHORIZED_CHANNEL`` (a channel
  API older than the policy's ``channel.min_api_version``) and ``401`` (the authorization no
  longer holds);
* the Open API's numeric codes (``105002``, ``36009004``, ``12052105`` …).

Our table groups the common, auth and listing codes by what the seller must do; a group holds the
cause, the fix and the retry verdict in English and Chinese, and related shelfcheck finding codes
(which ``shelfcheck check`` catches before submission). The table is data,
``platform_errors.yaml`` next to this module, read on first use; its texts name policy keys
(``{images.min_side}``) and are filled from the pack in use. Which finding codes a platform code
stands for is declared with each rule (``@rule(..., platform=(...))``). The *official* message of
a code is never part of the package: it comes from the imported ``tiktok-errors`` dataset
(contract §2.6) when installed, and is shown beside our words. A code missing from our table but
present in the dataset still gets an answer: its group is inferred from the official message (and
the Open API client's classifier), and the answer says so.

Retry verdicts: ``yes`` — the same request can succeed later (back off first); ``after_fix`` —
only after the cause is fixed (an unchanged listing fails again and counts towards the
repeat-failure lock); ``no`` — no edit of the request helps (prohibited category, frozen price,
wrong market).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "GROUPS",
    "CODES",
    "CodeEntry",
    "ErrorGroup",
    "PlatformExplanation",
    "explain_platform_code",
    "is_platform_code",
    "render_platform_explanation",
]

RETRY = ("yes", "after_fix", "no")
_DATA = "platform_errors.yaml"


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    """Codes that share one cause and one fix."""

    key: str
    retry: str
    cause: Mapping[str, str]
    fix: Mapping[str, str]
    fixable: bool = True
    findings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One platform code: its group, and optionally our own short label and related findings."""

    code: str
    group: str
    label: Mapping[str, str] = field(default_factory=dict)
    findings: tuple[str, ...] = ()
    retry: str | None = None


@dataclass(frozen=True, slots=True)
class _Table:
    groups: dict[str, ErrorGroup]
    codes: dict[str, CodeEntry]
    text: dict[str, dict[str, Any]]


@lru_cache(maxsize=1)
def _table() -> _Table:
    """The table, read from ``platform_errors.yaml`` on first use.

    A code's related findings are the rules that declare it (``@rule(..., platform=(...))``), in
    report order; a group's are listed with the group.
    """
    from shelfcheck.rules import RULES

    data = yaml.load((resources.files("shelfcheck.diagnose") / _DATA).read_text("utf-8"), Loader=_LOADER)
    groups: dict[str, ErrorGroup] = {}
    for key, g in data["groups"].items():
        if g["retry"] not in RETRY:
            raise ValueError(f"{_DATA}: group {key}: retry {g['retry']!r} is not one of {RETRY}")
        groups[key] = ErrorGroup(key, g["retry"], g["cause"], g["fix"], g.get("fixable", True),
                                 tuple(g.get("findings", ())))
    from shelfcheck.diagnose.coverage import coverage

    by_code: dict[str, list[str]] = {}
    for rule in RULES.values():
        for code in rule.platform:
            by_code.setdefault(code, []).append(rule.code)
    table = coverage()
    for code in table.listed:
        by_code[code] = list(table.findings(code))
    codes: dict[str, CodeEntry] = {}
    for block in data["codes"]:
        group, retry = block["group"], block.get("retry")
        if group not in groups:
            raise ValueError(f"{_DATA}: codes of unknown group {group!r}")
        for item in block["codes"]:
            item = {"code": item} if isinstance(item, str) else item
            code = str(item["code"])
            label = {"en": item["en"], "zh": item["zh"]} if "en" in item else {}
            codes[code] = CodeEntry(code, group, label, tuple(by_code.get(code, ())), retry)
    return _Table(groups, codes, data["text"])


GROUPS: dict[str, ErrorGroup]  # group key → group, read on first use (module __getattr__)
CODES: dict[str, CodeEntry]  # platform code → entry, read on first use


def __getattr__(name: str) -> Any:
    # GROUPS and CODES are read from the data file on first use.
    if name == "GROUPS":
        return _table().groups
    if name == "CODES":
        return _table().codes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# 36009004 is one code for a dozen gateway conditions: the message decides.
_GATEWAY_VARIANTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"timestamp", re.I), "clock"),
    (re.compile(r"\bsign(ature)?\b|`sign`", re.I), "signature"),
    (re.compile(r"access_token|access-token|x-tts-access-token|\btoken\b", re.I), "token_expired"),
    (re.compile(r"app_key|cipher|shop_id|version|path", re.I), "integration_config"),
]

# For codes only the dataset knows: infer the group from the official message.
_KEYWORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"prohibit", re.I), "category_closed"),
    (re.compile(r"categor", re.I), "category_structure"),
    (re.compile(r"brand", re.I), "brand"),
    (re.compile(r"\btitle\b|product name", re.I), "title"),
    (re.compile(r"description", re.I), "description"),
    (re.compile(r"size ?chart|sale propert|sku_img|supplementary", re.I), "sku_images"),
    (re.compile(r"image|\buri\b|video|file", re.I), "main_images"),
    (re.compile(r"qualification|certif", re.I), "certifications"),
    (re.compile(r"manufacturer|responsible person", re.I), "manufacturer"),
    (re.compile(r"warehouse|shipping|logistic|delivery", re.I), "warehouse_logistics"),
    (re.compile(r"pre[- ]?sale|pre[- ]?order|backorder|combo|bundle|gift|mto|make to order", re.I),
     "special_products"),
    (re.compile(r"weight|dimension|package|parcel", re.I), "package"),
    (re.compile(r"price|currency|stock|inventory|quantity|\bsku|identifier code", re.I), "sku_price_stock"),
    (re.compile(r"attribute|propert", re.I), "attributes"),
    (re.compile(r"promotion|lock", re.I), "price_locked"),
    (re.compile(r"product id|does not exist|not exist|not belong", re.I), "product_reference"),
    (re.compile(r"status|appeal|draft", re.I), "state_conflict"),
    (re.compile(r"internal error|try again|timeout", re.I), "server_transient"),
    (re.compile(r"seller|shop|onboard|tax", re.I), "shop_setup"),
]

_KIND_GROUP = {
    "auth_expired": "token_expired", "reauthorize": "reauthorize", "scope": "scope_denied",
    "signature": "signature", "clock": "clock", "config": "integration_config",
    "rate_limited": "rate_limited", "retryable": "server_transient", "validation": "validation_generic",
    "seller_action": "shop_setup", "transport": "server_transient",
}


@dataclass(frozen=True, slots=True)
class PlatformExplanation:
    """What a platform code means, in our words, and what the official table says about it."""

    code: str
    group: str
    retry: str
    fixable: bool
    cause: Mapping[str, str]
    fix: Mapping[str, str]
    label: Mapping[str, str]
    findings: tuple[str, ...]
    official: tuple[Mapping[str, str], ...]
    source: str  # "shelfcheck" (our table) or "inferred" (group from the official message)
    dataset: str | None = None
    online_only: str | None = None  # the reason key when only the platform can decide (coverage.yaml)
    online_reason: Mapping[str, str] = field(default_factory=dict)  # its text, en + zh

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        """Plain data; one language when ``lang`` is given, both otherwise."""
        def pick(d: Mapping[str, str]) -> Any:
            return d.get(lang, d.get("en", "")) if lang else dict(d)

        return {"code": self.code, "group": self.group, "retry": self.retry, "fixable": self.fixable,
                "label": pick(self.label) if self.label else None, "cause": pick(self.cause),
                "fix": pick(self.fix), "findings": list(self.findings), "source": self.source,
                "official": [dict(o) for o in self.official], "dataset": self.dataset,
                "online_only": self.online_only}


def normalise_code(text: str) -> str:
    """``403-unauthorized_channel`` → ``403-UNAUTHORIZED_CHANNEL``; ``Error Code 401`` → ``401``."""
    value = " ".join(str(text).split())
    value = re.sub(r"(?i)^(error\s*code\s*:?\s*|code\s*:?\s*)", "", value).strip()
    return value.upper()


def is_platform_code(text: str) -> bool:
    """True for what looks like a platform code (a number, or ``403-UNAUTHORIZED_CHANNEL``)."""
    code = normalise_code(text)
    return bool(re.fullmatch(r"\d{3,9}(-[A-Z_]+)?", code))


def _official(code: str, datasets: Any) -> tuple[tuple[Mapping[str, str], ...], str | None]:
    table = getattr(datasets, "errors", None) if datasets is not None else None
    if not table:
        return (), None
    rows = table.get(code) or []
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row.get("message", ""), row.get("endpoint", ""))
        if key in seen:
            continue
        seen.add(key)
        out.append({"message": row.get("message", ""), "endpoint": row.get("endpoint", "")})
    label = None
    provenance = getattr(datasets, "provenance", {}) or {}
    if provenance.get("tiktok-errors"):
        label = provenance["tiktok-errors"]
    return tuple(out), label


def _infer_group(code: str, messages: list[str]) -> str | None:
    text = " ".join(messages)
    for pattern, group in _KEYWORDS:
        if pattern.search(text):
            return group
    try:
        from shelfcheck.tiktok.errors import classify
    except ImportError:  # pragma: no cover - the client package is part of the project
        classify = None
    if classify is not None and code.isdigit():
        kind = classify(int(code), text)
        group = _KIND_GROUP.get(getattr(kind, "value", ""))
        if group:
            return group
    if code.startswith(("1205", "1201", "1203", "9800", "1105")):
        return "validation_generic"
    return None


def _pack(policy: Any) -> Any:
    from shelfcheck.policy import Policy, load_policy

    return policy if isinstance(policy, Policy) else load_policy(policy)


def _filled(texts: Mapping[str, str], pack: Any) -> dict[str, str]:
    from shelfcheck.policy import fill_policy

    return {lang: fill_policy(text, pack) for lang, text in texts.items()}


def explain_platform_code(code: str, datasets: Any = None, *, message: str | None = None,
                          policy: Any = None) -> PlatformExplanation | None:
    """Explain a platform code; ``None`` when neither our table nor the dataset knows it.

    Args:
        code: ``403-UNAUTHORIZED_CHANNEL``, ``401``, or an Open API code such as ``105002``.
        datasets: a :class:`~shelfcheck.datasets.Datasets` (for the official messages); optional.
        message: the message the platform sent with the code, when known — it decides between
            the conditions that share ``36009004``.
        policy: the pack whose numbers the texts state (a pack, name or path; default built-in).
    """
    table = _table()
    key = normalise_code(code)
    official, label = _official(key, datasets)
    entry = table.codes.get(key)
    if entry is not None:
        group_key = entry.group
        if key == "36009004" and message:
            for pattern, variant in _GATEWAY_VARIANTS:
                if pattern.search(message):
                    group_key = variant
                    break
        group = table.groups[group_key]
        retry = entry.retry or group.retry
        pack = _pack(policy)
        online, reason = _online(key)
        findings = entry.findings or (() if online else group.findings)
        return PlatformExplanation(key, group.key, retry, group.fixable and retry != "no",
                                   _filled(group.cause, pack), _filled(group.fix, pack), entry.label,
                                   findings, official, "shelfcheck", label, online, reason)
    if not official:
        return None
    messages = [o["message"] for o in official]
    if message:
        messages.insert(0, message)
    group_key = _infer_group(key, messages)
    if group_key is None:
        group_key = "validation_generic"
    group = table.groups[group_key]
    pack = _pack(policy)
    online, reason = _online(key)
    from shelfcheck.diagnose.coverage import coverage

    findings = coverage().findings(key) or (() if online else group.findings)
    return PlatformExplanation(key, group.key, group.retry, group.fixable, _filled(group.cause, pack),
                               _filled(group.fix, pack), {}, findings, official, "inferred", label, online, reason)


def _online(code: str) -> tuple[str | None, Mapping[str, str]]:
    from shelfcheck.diagnose.coverage import coverage

    table = coverage()
    reason = table.online_only(code)
    return reason, (table.reasons.get(reason, {}) if reason else {})


def render_platform_explanation(info: PlatformExplanation, lang: str = "en", *, limit: int = 6,
                                policy: Any = None) -> str:
    """The explanation as text for people, in ``lang`` (numbers from ``policy``, default built-in)."""
    from shelfcheck.policy import fill_policy

    head = _table().text[lang]
    verdict = fill_policy(head["verdicts"][info.retry], _pack(policy))
    label = info.label.get(lang) if info.label else None
    lines = [f"{info.code} — {label}" if label else info.code]
    if info.source == "inferred":
        lines.append(head["inferred"])
    lines += ["", head["cause"], "  " + info.cause[lang], "", head["fix"], "  " + info.fix[lang], "",
              f"{head['retry']} {verdict}"]
    if info.findings:
        lines += ["", head["findings"] + " " + ", ".join(info.findings)]
    elif info.online_reason:
        lines += ["", head["online_only"] + " " + info.online_reason.get(lang, info.online_reason.get("en", ""))]
    lines.append("")
    if info.official:
        source = f" ({info.dataset})" if info.dataset else ""
        lines.append(f"{head['official']}{source}:")
        for row in info.official[:limit]:
            text = " ".join(row["message"].split())
            lines.append(f"  - {text}" + (f"  [{row['endpoint']}]" if row.get("endpoint") else ""))
        if len(info.official) > limit:
            lines.append(f"  … +{len(info.official) - limit}")
    elif info.code.isdigit():
        lines.append(head["no_dataset"])
    return "\n".join(lines).rstrip() + "\n"
