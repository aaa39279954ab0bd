"""A rule's documentation for people, in one language, with the numbers of the pack in use.

One source for each text: the summary and the *What it checks · Why · Bad · Good* sections are
the rule's docstring (English) or the zh catalogue's ``summary``/``why``; the fix is the
catalogue's ``fix`` in either language — the same text a finding shows. Numbers are never
written in these texts: ``{images.min_side}`` names the pack key and is filled here from the
pack (:mod:`shelfcheck.policy.text`). In a fix, a finding's own value (``{min_side}``) is filled
from the pack key the rule reads with that name (``{min}``/``{max}`` from the one key a rule
reads), else shown as ``‹name›``.

``explain``, ``rules``, the SARIF rule descriptors, the HTML and XLSX summaries and ``diagnose``
all take their texts from :func:`rule_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shelfcheck.i18n import catalogue
from shelfcheck.policy import Policy, load_policy
from shelfcheck.policy.text import fill_policy, policy_value
from shelfcheck.rules.registry import RULES, Rule

__all__ = ["RuleText", "rule_text"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class RuleText:
    """A rule's texts in one language (``""`` for a section the language does not have)."""

    summary: str
    what: str
    why: str
    bad: str
    good: str
    fix: str


def _fix(rule: Rule, template: str, policy: Policy) -> str:
    keys = {key.rsplit(".", 1)[-1]: key for key in rule.reads}
    if len(rule.reads) == 1:  # a rule that reads one limit calls it min or max in its findings
        keys.setdefault("min", rule.reads[0])
        keys.setdefault("max", rule.reads[0])

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in keys:
            try:
                value = policy_value(policy, keys[name])
            except KeyError:
                value = None
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                return fill_policy("{" + keys[name] + "}", policy)
        return f"‹{name}›"

    return _PLACEHOLDER.sub(one, fill_policy(template, policy))


def rule_text(rule: Rule | str, lang: str = "en", policy: Policy | str | None = None) -> RuleText:
    """The documentation of ``rule`` in ``lang`` (``en``/``zh``), numbers from ``policy``
    (a pack, a pack name or path; default: the built-in pack)."""
    rule = RULES[rule] if isinstance(rule, str) else rule
    pack = policy if isinstance(policy, Policy) else load_policy(policy)
    doc = rule.doc.sections
    summary, why = rule.doc.summary, doc.get("Why the platform refuses it", "")
    if lang != "en":
        cat = catalogue(lang)
        summary = cat.text(rule.code, "summary") or summary
        why = cat.text(rule.code, "why") or why
    fix = catalogue(lang).text(rule.code, "fix") or catalogue("en").text(rule.code, "fix")
    return RuleText(
        summary=fill_policy(summary, pack),
        what=fill_policy(doc.get("What it checks", ""), pack),
        why=fill_policy(why, pack),
        bad=fill_policy(doc.get("Bad", ""), pack),
        good=fill_policy(doc.get("Good", ""), pack),
        fix=_fix(rule, fix, pack),
    )
