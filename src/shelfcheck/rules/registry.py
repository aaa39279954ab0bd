"""The rule registry: every finding code, its family, default severity and documentation.

A rule is a generator function decorated with :func:`rule`. Its docstring is the rule's
documentation, with fixed sections (*What it checks · Why the platform refuses it · Bad · Good*);
``shelfcheck explain`` and ``shelfcheck rules`` render from it (with the catalogue's fix), and a
test asserts every rule has every section, so the docs cannot drift from the code.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from shelfcheck.findings import Hit, Severity

__all__ = ["DOC_SECTIONS", "GATES", "MEMO_FIELDS", "MEMO_IMAGES", "RULES", "RUN_GATES", "Rule", "RuleDoc",
           "gate", "memo_by", "rule"]

DOC_SECTIONS = ("What it checks", "Why the platform refuses it", "Bad", "Good")
# The fix is not a docstring section: it is the catalogue's ``fix`` (i18n/<lang>/), the one text
# a finding and the documentation both show. A leftover ``Fix:`` heading is still cut off.
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_HEADING = re.compile(r"^(%s):\s*$" % "|".join(re.escape(s) for s in DOC_SECTIONS + ("Fix",)), re.M)

Scope = Literal["listing", "shop", "product"]
CheckFn = Callable[[Any], Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule docstring split into its summary and sections."""

    summary: str
    sections: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> RuleDoc:
        text = inspect.cleandoc(text or "")
        summary, _, rest = text.partition("\n")
        parts = _HEADING.split(rest)
        sections: dict[str, str] = {}
        for name, body in zip(parts[1::2], parts[2::2]):
            sections[name] = inspect.cleandoc(body)
        return cls(summary.strip(), sections)


@dataclass(frozen=True, slots=True)
class Rule:
    """One finding code and the check that produces it."""

    code: str
    family: str
    scope: Scope
    severity: Severity
    reads: tuple[str, ...]
    check: CheckFn
    doc: RuleDoc
    fixable: bool = True
    platform: tuple[str, ...] = ()


RULES: dict[str, Rule] = {}

# Family gates: when a whole family cannot report anything, so the engine can skip its rules.
# A gate is only a shortcut — every rule still checks its own conditions, and gives the same
# findings with or without it. ``GATES`` take the listing context, ``RUN_GATES`` the run context.
GATES: dict[str, Callable[[Any], bool]] = {}
RUN_GATES: dict[str, Callable[[Any], bool]] = {}


# Families whose findings depend only on these catalogue fields (and the run): the engine may
# reuse the findings of an earlier listing with the same values (a manufacturer's address is
# checked once, not once per SKU). ``MEMO_IMAGES`` families depend on the analyses of the
# listing's images as well.
MEMO_FIELDS: dict[str, tuple[str, ...]] = {}
MEMO_IMAGES: set[str] = set()


def memo_by(family: str, *fields: str, images: bool = False) -> None:
    """Declare that the findings of ``family`` depend only on ``fields`` of the listing (and, with
    ``images``, on the analyses of its main images)."""
    if family in MEMO_FIELDS:
        raise ValueError(f"family {family!r} is memoised already")
    MEMO_FIELDS[family] = fields
    if images:
        MEMO_IMAGES.add(family)


def gate(family: str, *, per: Literal["listing", "run"] = "listing"
         ) -> Callable[[Callable[[Any], bool]], Callable[[Any], bool]]:
    """Register when the rules of ``family`` can report anything, per listing or per run."""

    def register(fn: Callable[[Any], bool]) -> Callable[[Any], bool]:
        table = GATES if per == "listing" else RUN_GATES
        if family in table:
            raise ValueError(f"family {family!r} has a gate already")
        table[family] = fn
        return fn

    return register


def rule(
    code: str,
    *,
    family: str,
    scope: Scope = "listing",
    severity: Severity | None = None,
    reads: tuple[str, ...] = (),
    fixable: bool = True,
    platform: tuple[str, ...] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under a finding code.

    Args:
        code: the stable snake_case finding code.
        family: the group it belongs to (``shop``, ``category``, ``text``, ``images`` …).
        scope: ``listing`` (called once per catalogue row), ``shop`` (once per run) or
            ``product`` (once per product, after every row was read; see ``rules.variants``).
        severity: not to be given: the default severity is the built-in pack's ``rules:`` entry
            (the one declaration); a value that differs from it is refused.
        reads: the policy keys the rule reads, for the documentation.
        fixable: ``False`` when no edit of the listing can clear the finding (a prohibited
            category, a locked SKU).
        platform: the platform error codes that report the same problem after submission.
    """
    if not _CODE.match(code):
        raise ValueError(f"finding code {code!r} is not snake_case")

    def register(fn: CheckFn) -> CheckFn:
        default = _default_severity(code)
        if severity is not None and severity is not default:
            raise ValueError(f"finding code {code!r}: severity {severity.label} differs from the "
                             f"built-in pack's {default.label}; declare it in the pack only")
        if code in RULES:
            raise ValueError(f"finding code {code!r} registered twice")
        RULES[code] = Rule(code, family, scope, default, reads, fn, RuleDoc.parse(fn.__doc__ or ""),
                           fixable, tuple(platform))
        return fn

    return register


def _default_severity(code: str) -> Severity:
    """The severity the built-in pack gives ``code``: every code is declared there, once."""
    from shelfcheck.policy import load_policy

    setting = load_policy().rules.get(code)
    if setting is None or setting.severity is None:
        raise ValueError(f"finding code {code!r} has no severity in the built-in policy pack (rules:)")
    return Severity.parse(setting.severity)
