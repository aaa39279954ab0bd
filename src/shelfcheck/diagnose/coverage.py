"""Coverage of the platform's refusals: which codes preflight catches, and why the others cannot be.

Every error code of Create Product and Check Product Listing is one of:

* **caught offline** — finding codes that report the same problem before submission: the rules
  that declare the code (``@rule(..., platform=(...))``) and the ``findings`` of ``coverage.yaml``;
* **online-only** — only the platform can decide it; ``coverage.yaml`` gives the reason (system
  error, rate limit, brand authorisation, shop setup …, in English and Chinese);
* **to do** — the catalogue's data could reveal it, but no check catches it yet (``todo``).

``coverage.yaml`` may name finding codes that this build does not register (checks that live
elsewhere); they are left out of every answer until they exist. :func:`coverage_rows` is the table
``shelfcheck explain --coverage`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["CREATE_PRODUCT", "ENDPOINTS", "LISTING_CHECK", "Coverage", "coverage", "coverage_rows"]

CREATE_PRODUCT = "POST /product/202309/products"
LISTING_CHECK = "POST /product/202309/products/listing_check"
ENDPOINTS = (CREATE_PRODUCT, LISTING_CHECK)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Coverage:
    """The coverage table as data."""

    reasons: Mapping[str, Mapping[str, str]]  # reason key → {en, zh}
    online: Mapping[str, str]  # code → reason key
    listed: Mapping[str, tuple[str, ...]]  # code → finding codes named in coverage.yaml (registered or not)
    declared: Mapping[str, tuple[str, ...]]  # code → finding codes of the rules that declare it
    todo: Mapping[str, str]  # code → what would catch it
    registered: frozenset[str]

    def findings(self, code: str) -> tuple[str, ...]:
        """The registered finding codes that catch ``code`` offline (rules' order, then the table's)."""
        out = list(self.declared.get(code, ()))
        out += [f for f in self.listed.get(code, ()) if f in self.registered and f not in out]
        return tuple(out)

    def pending(self, code: str) -> tuple[str, ...]:
        """Finding codes the table names for ``code`` that this build does not register."""
        return tuple(f for f in self.listed.get(code, ()) if f not in self.registered)

    def online_only(self, code: str) -> str | None:
        """The reason key when only the platform can decide ``code``."""
        return self.online.get(code)

    def codes(self) -> list[str]:
        """Every code the table classifies (sorted)."""
        return sorted(set(self.online) | set(self.listed) | set(self.todo) |
                      {c for c in self.declared if c.isdigit()})


@lru_cache(maxsize=1)
def coverage() -> Coverage:
    """The table, read from ``coverage.yaml`` on first use."""
    from shelfcheck.rules import RULES

    data = yaml.load((resources.files("shelfcheck.diagnose") / "coverage.yaml").read_text("utf-8"), Loader=_LOADER)
    reasons = data["reasons"]
    online: dict[str, str] = {}
    for reason, codes in data["online"].items():
        if reason not in reasons:
            raise ValueError(f"coverage.yaml: online reason {reason!r} has no text")
        for code in codes:
            if str(code) in online:
                raise ValueError(f"coverage.yaml: code {code} is online-only twice")
            online[str(code)] = reason
    declared: dict[str, list[str]] = {}
    for rule in RULES.values():
        for code in rule.platform:
            declared.setdefault(code, []).append(rule.code)
    listed = {str(k): tuple(v) for k, v in (data.get("findings") or {}).items()}
    return Coverage(reasons, online, listed, {k: tuple(v) for k, v in declared.items()},
                    {str(k): str(v) for k, v in (data.get("todo") or {}).items()}, frozenset(RULES))


def coverage_rows(datasets: Any = None) -> list[dict[str, Any]]:
    """``[{"code", "endpoint", "findings", "online_only"}]``.

    With the official error table imported (``datasets.errors``), one row per distinct code of
    Create Product and Check Product Listing (``endpoint`` is Create Product's when the code is on
    both). Without it, one row per code of our own table, ``endpoint`` ``None``. ``online_only``
    is the reason key (``None`` when the code is caught offline or still to do).
    """
    table = coverage()
    errors = getattr(datasets, "errors", None) if datasets is not None else None
    endpoints: dict[str, str | None] = {}
    if errors:
        for code, rows in errors.items():
            found = {r.get("endpoint", "") for r in rows} & set(ENDPOINTS)
            if found:
                endpoints[code] = CREATE_PRODUCT if CREATE_PRODUCT in found else LISTING_CHECK
    else:
        endpoints = {code: None for code in table.codes()}
    return [{"code": code, "endpoint": endpoints[code], "findings": list(table.findings(code)),
             "online_only": table.online_only(code)} for code in sorted(endpoints)]
