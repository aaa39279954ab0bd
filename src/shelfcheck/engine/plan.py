"""The plan of a run, built once: which rules run, at which severity, with which shortcuts.

Severity comes from :func:`shelfcheck.rules.effective_severity` (the one definition); the
shortcuts of each family (its gate, its memo fields, whether its findings depend on the images)
come from the family's :func:`shelfcheck.rules.family` declaration. ``SHELFCHECK_SHORTCUTS=off``
in the environment (or ``shortcuts=False``) plans every rule on every listing with no gate, no
memo and no reduced-scale image decoding: the same findings, only slower (a test compares them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shelfcheck.errors import Msg, PolicyError
from shelfcheck.findings import Severity
from shelfcheck.rules import RULES, Rule, effective_severity, family_of
from shelfcheck.rules.context import RunContext

__all__ = ["SHORTCUTS_ENV", "ActiveRule", "FamilyPlan", "Plan", "shortcuts_enabled"]

SHORTCUTS_ENV = "SHELFCHECK_SHORTCUTS"


def shortcuts_enabled() -> bool:
    """False when ``SHELFCHECK_SHORTCUTS`` is ``off`` (or ``0``, ``no``, ``false``)."""
    return os.environ.get(SHORTCUTS_ENV, "on").strip().lower() not in ("off", "0", "no", "false")


@dataclass(frozen=True, slots=True)
class ActiveRule:
    """A rule that runs, with the severity its findings carry."""

    rule: Rule
    severity: Severity


@dataclass(frozen=True, slots=True)
class FamilyPlan:
    """Consecutive active rules of one family and the shortcuts the engine takes over them.

    ``gate`` (``None``: none) says per listing whether any of them can report; ``memo`` are the
    fields their findings are memoised by (``None``: not memoised), with the analyses of the
    main images too when ``images``. ``slot`` numbers the family's memo entries.
    """

    name: str
    rules: tuple[ActiveRule, ...]
    gate: Callable[[Any], bool] | None
    memo: tuple[str, ...] | None
    images: bool
    slot: int


@dataclass(frozen=True, slots=True)
class Plan:
    """What runs over each listing (``families``, in report order) and over the shop."""

    families: tuple[FamilyPlan, ...]
    shop: tuple[ActiveRule, ...]
    shortcuts: bool

    @classmethod
    def build(cls, run: RunContext, *, shortcuts: bool | None = None) -> Plan:
        """The plan for ``run``'s policy; ``shortcuts`` defaults to :func:`shortcuts_enabled`.

        Raises:
            PolicyError: the policy configures a finding code no rule has.
        """
        policy = run.policy
        unknown = sorted(set(policy.rules) - set(RULES))
        if unknown:
            raise PolicyError(Msg("policy_unknown_codes", name=policy.name, codes=", ".join(unknown)))
        if shortcuts is None:
            shortcuts = shortcuts_enabled()
        listing: list[ActiveRule] = []
        shop: list[ActiveRule] = []
        for rule in RULES.values():
            severity = effective_severity(rule, policy)
            if severity is None:
                continue
            if rule.scope == "shop":
                shop.append(ActiveRule(rule, severity))
                continue
            if rule.scope != "listing":  # product rules run once per product (rules.variants)
                continue
            run_gate = family_of(rule.family).run_gate
            if shortcuts and run_gate is not None and not run_gate(run):
                continue
            listing.append(ActiveRule(rule, severity))
        groups: list[tuple[str, list[ActiveRule]]] = []
        for active in listing:
            if groups and groups[-1][0] == active.rule.family:
                groups[-1][1].append(active)
            else:
                groups.append((active.rule.family, [active]))
        families = []
        for slot, (name, actives) in enumerate(groups):
            declared = family_of(name)
            families.append(FamilyPlan(name, tuple(actives), declared.gate if shortcuts else None,
                                       declared.memo if shortcuts else None, declared.images, slot))
        return cls(tuple(families), tuple(shop), shortcuts)
