"""``explain`` and ``rules``: documentation rendered from the rule docstrings and catalogues.

The texts come from :func:`shelfcheck.rules.docs.rule_text`: the docstring (English) or the zh
catalogue's ``summary``/``why``, the catalogue's ``fix`` in both languages, and every number
filled from the pack given with ``--policy``.
"""

from __future__ import annotations

import json
from typing import IO, Any

from shelfcheck.i18n import catalogue
from shelfcheck.policy import load_policy
from shelfcheck.rules import RULES, Rule, effective_severity
from shelfcheck.rules.docs import rule_text

__all__ = ["coverage_json", "coverage_table", "explain_code", "explain_platform", "rule_info", "rules_json",
           "rules_table"]

def _severity(rule: Rule, policy: str | None) -> str:
    severity = effective_severity(rule, load_policy(policy))
    return "off" if severity is None else severity.label


def rule_info(rule: Rule, lang: str, policy: str | None = None) -> dict[str, Any]:
    """A rule's metadata and documentation as a JSON-ready dict, numbers from the pack."""
    text = rule_text(rule, lang, policy)
    return {
        "code": rule.code,
        "severity": _severity(rule, policy),
        "family": rule.family,
        "scope": rule.scope,
        "summary": text.summary,
        "what": text.what,
        "why": text.why,
        "bad": text.bad,
        "good": text.good,
        "fix": text.fix,
        "policy_keys": list(rule.reads),
    }


def explain_code(code: str, lang: str = "en", policy: str | None = None) -> str | None:
    """The explanation of a finding code as text, or ``None`` when the code is unknown.

    A code that is not a finding code but a platform code (``403-UNAUTHORIZED_CHANNEL``, ``401``,
    an Open API code such as ``105002``) is explained from the project's own platform error table,
    with the official message from the imported ``tiktok-errors`` dataset when installed.
    """
    rule = RULES.get(code)
    if rule is None:
        return explain_platform(code, lang, policy)
    info = rule_info(rule, lang, policy)
    cat = catalogue(lang)
    lines = [f"{rule.code} [{info['severity']}] — {info['summary']}", ""]
    sections = [
        ("what", info["what"] if lang == "en" else ""),
        ("why", info["why"]),
        ("bad", info["bad"]),
        ("good", info["good"]),
        ("fix", info["fix"]),
    ]
    for key, body in sections:
        if body:
            lines.append(cat.ui("explain_" + key))
            lines.extend("  " + line.replace("``", "`") for line in body.splitlines())
            lines.append("")
    if rule.reads:
        lines.append(cat.ui("explain_policy_keys", keys=", ".join(rule.reads)))
    return "\n".join(lines).rstrip() + "\n"


def rules_json(lang: str = "en", policy: str | None = None) -> str:
    """Every rule as a JSON list."""
    return json.dumps([rule_info(r, lang, policy) for r in RULES.values()], ensure_ascii=False, indent=2)


def rules_table(lang: str, policy: str | None, out: IO[str]) -> None:
    """Every rule as a table: code, severity, family, summary."""
    from rich.console import Console
    from rich.table import Table

    cat = catalogue(lang)
    table = Table(show_header=True, header_style="bold")
    table.add_column(cat.ui("col_code"), no_wrap=True)
    table.add_column(cat.ui("col_severity"), no_wrap=True)
    table.add_column(cat.ui("col_family"), no_wrap=True)
    table.add_column(cat.ui("col_summary"))
    for rule in RULES.values():
        info = rule_info(rule, lang, policy)
        table.add_row(rule.code, info["severity"], rule.family, info["summary"])
    Console(file=out, width=140, highlight=False).print(table)


def explain_platform(code: str, lang: str = "en", policy: str | None = None) -> str | None:
    """A platform error code explained (cause, fix, whether a retry helps), or ``None`` if unknown;
    the numbers it states are the pack's (``policy``: a name or path, default built-in)."""
    from shelfcheck.datasets import load_datasets
    from shelfcheck.diagnose.platform_errors import (
        explain_platform_code,
        is_platform_code,
        render_platform_explanation,
    )

    if not is_platform_code(code):
        return None
    info = explain_platform_code(code, load_datasets(), policy=policy)
    return render_platform_explanation(info, lang, policy=policy) if info is not None else None


def coverage_json() -> str:
    """``explain --coverage --format json``: the coverage rows (:mod:`shelfcheck.diagnose.coverage`)."""
    import json

    from shelfcheck.datasets import load_datasets
    from shelfcheck.diagnose.coverage import coverage_rows

    return json.dumps(coverage_rows(load_datasets()), ensure_ascii=False, indent=2) + "\n"


def coverage_table(lang: str = "en") -> str:
    """``explain --coverage``: one line per code, and the counts."""
    from shelfcheck.datasets import load_datasets
    from shelfcheck.diagnose.coverage import coverage, coverage_rows
    from shelfcheck.i18n import catalogue

    cat = catalogue(lang)
    datasets = load_datasets()
    rows = coverage_rows(datasets)
    table = coverage()
    lines = []
    for row in rows:
        if row["findings"]:
            what = ", ".join(row["findings"])
        elif row["online_only"]:
            what = cat.ui("coverage_online", reason=row["online_only"])
        else:
            what = cat.ui("coverage_todo", what=table.todo.get(row["code"]) or ", ".join(table.pending(row["code"]))
                          or "-")
        lines.append(f"{row['code']:<10} {what}")
    offline = sum(1 for r in rows if r["findings"])
    online = sum(1 for r in rows if not r["findings"] and r["online_only"])
    source = cat.ui("coverage_official") if datasets.errors else cat.ui("coverage_own")
    lines.append(cat.ui("coverage_summary", codes=len(rows), offline=offline, online=online,
                        todo=len(rows) - offline - online, source=source))
    return "\n".join(lines) + "\n"
