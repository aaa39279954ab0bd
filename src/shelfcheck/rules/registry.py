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

__all__ = ["DOC_SECTIONS", "FAMILIES", "RULES", "Family", "Rule", "RuleDoc", "effective_severity", "family",
           "family_of", "rule"]

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


@dataclass(frozen=True, slots=True)
class Family:
    """The shortcuts the engine may take over one family's rules, declared once per family.

    Every shortcut is optional and changes no finding: each rule still checks its own
    conditions (``SHELFCHECK_SHORTCUTS=off`` runs every rule on every listing, and a test
    compares the two).

    Attributes:
        name: the family (``images``, ``labeling`` …).
        gate: given the listing context, ``False`` when no rule of the family can report
            anything for it (the engine skips the family's rules).
        run_gate: the same, given the run context, decided once per run.
        memo: the catalogue fields the family's findings depend on (with the run): listings
            with the same values get the same findings (``None``: not memoised).
        images: the findings depend on the analyses of the listing's main images as well.
    """

    name: str
    gate: Callable[[Any], bool] | None = None
    run_gate: Callable[[Any], bool] | None = None
    memo: tuple[str, ...] | None = None
    images: bool = False


FAMILIES: dict[str, Family] = {}


def family(name: str, *, gate: Callable[[Any], bool] | None = None,
           run_gate: Callable[[Any], bool] | None = None, memo: tuple[str, ...] | None = None,
           images: bool = False) -> Family:
    """Declare the shortcuts of family ``name`` (see :class:`Family`); once per family."""
    if name in FAMILIES:
        raise ValueError(f"family {name!r} is declared already")
    if images and memo is None:
        raise ValueError(f"family {name!r}: images=True needs the memo fields")
    declared = FAMILIES[name] = Family(name, gate, run_gate, tuple(memo) if memo is not None else None, images)
    return declared


def family_of(name: str) -> Family:
    """The declaration of family ``name`` (a family without one takes no shortcut)."""
    return FAMILIES.get(name) or Family(name)


def effective_severity(rule: Rule, policy: Any) -> Severity | None:
    """The severity ``rule`` reports with under ``policy`` (a loaded pack, or ``None`` for the
    built-in defaults); ``None`` when the pack switches the rule off. The one definition: the
    engine, ``explain`` and the SARIF report all ask here."""
    setting = policy.rules.get(rule.code) if policy is not None else None
    if setting is None:
        return rule.severity
    if not setting.enabled:
        return None
    return Severity.parse(setting.severity) if setting.severity else rule.severity


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
