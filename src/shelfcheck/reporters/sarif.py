"""SARIF 2.1.0 for CI and code-scanning tools: one result per finding.

``ruleId`` is the finding code and ``level`` follows its severity (``error``, ``warning``,
``note``). Every result is located in the catalogue file at the listing's row
(``region.startLine``; for a spreadsheet that is the sheet row); shop findings, which belong to no
row, point at line 1, with the field named in ``logicalLocations``. The catalogue is given
relative to the working directory (``uriBaseId: "%SRCROOT%"``) when it lies below it, else as an
absolute ``file:`` URI. ``tool.driver.rules`` carries every enabled rule with its documentation
from :func:`shelfcheck.rules.docs.rule_text`: ``shortDescription`` = the summary,
``fullDescription`` = *What it checks*, ``help`` = the catalogue's fix (in Chinese when ``--lang
zh``), numbers from the run's policy pack.

Results are written as they stream; the run's counts go last, in ``runs[0].properties``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from shelfcheck.findings import Finding, ListingResult, Severity, Summary
from shelfcheck.i18n import Catalogue
from shelfcheck.reporters.inert import scrub_surrogates
from shelfcheck.reporters.products import product_results
from shelfcheck.rules import RULES, Rule, effective_severity
from shelfcheck.rules.docs import rule_text

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "artifact_location", "report", "rule_descriptors",
           "write_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/shelfcheck/"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _dump(value: Any) -> str:
    """JSON text of ``value``; control characters are escaped by ``json``, and a lone surrogate
    (which no UTF-8 file can hold) becomes U+FFFD, so the log stays valid JSON in UTF-8."""
    return scrub_surrogates(json.dumps(value, ensure_ascii=False, default=str))


def artifact_location(path: str | Path, cwd: str | Path | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The catalogue's ``artifactLocation`` and the ``originalUriBaseIds`` it needs.

    Relative to ``cwd`` (default: the working directory) when the file lies below it, so a CI
    system can match it to the repository; otherwise an absolute ``file:`` URI.
    """
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        return {"uri": absolute.as_uri()}, {}
    return ({"uri": quote(relative.as_posix()), "uriBaseId": "%SRCROOT%"},
            {"%SRCROOT%": {"uri": base.as_uri().rstrip("/") + "/"}})


def _text(text: str) -> str:
    return text.replace("``", "`")


def _severity(rule: Rule, policy: Any) -> Severity | None:
    return effective_severity(rule, policy)


def _pascal(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("_"))


def rule_descriptors(cat: Catalogue, policy: Any = None) -> list[dict[str, Any]]:
    """``reportingDescriptor`` objects for every rule the policy enables."""
    rules = []
    for rule in RULES.values():
        severity = _severity(rule, policy)
        if severity is None:
            continue
        english = rule_text(rule, "en", policy)
        text = english if cat.lang == "en" else rule_text(rule, cat.lang, policy)
        markdown = []
        for heading, body in (("What it checks", english.what), ("Why the platform refuses it", english.why),
                              ("Bad", english.bad), ("Good", english.good), ("Fix", text.fix)):
            if body:
                markdown.append(f"**{heading}**\n\n{_text(body)}")
        rules.append({
            "id": rule.code,
            "name": _pascal(rule.code),
            "shortDescription": {"text": _text(text.summary)},
            "fullDescription": {"text": _text(english.what or text.summary)},
            "help": {"text": _text(text.fix), "markdown": "\n\n".join(markdown)},
            "defaultConfiguration": {"level": LEVELS[severity]},
            "properties": {"tags": [rule.family], "family": rule.family, "scope": rule.scope},
        })
    return rules


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]


def _result(f: Finding, cat: Catalogue, location: dict[str, Any], line: int, index: dict[str, int],
            logical: str, key: str) -> dict[str, Any]:
    message = cat.message(f)
    fix = cat.fix(f)
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": LEVELS[f.severity],
        "message": {"text": f"{message}\n{cat.ui('rpt_fix_label')} {fix}" if fix else message},
        "locations": [{
            "physicalLocation": {"artifactLocation": {**location, "index": 0},
                                 "region": {"startLine": max(1, line)}},
            "logicalLocations": [{"name": f.field or logical, "fullyQualifiedName":
                                  f"{logical}/{f.field}" if f.field else logical, "kind": "member"}],
        }],
        "partialFingerprints": {"shelfcheckFinding/v1": _fingerprint(key, f.code, f.field)},
        "properties": {"field": f.field, "fix": fix, "evidence": f.evidence},
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    return result


def write_sarif(run: Any, out: IO[str], cat: Catalogue, *, cwd: str | Path | None = None) -> Summary:
    """Write the SARIF log of a run; return the summary (counted while streaming)."""
    header = run.header()
    policy_obj = getattr(getattr(run, "run", None), "policy", None)
    rules = rule_descriptors(cat, policy_obj)
    index = {r["id"]: i for i, r in enumerate(rules)}
    location, bases = artifact_location(run.source.path, cwd)
    artifact: dict[str, Any] = {"location": location}
    mime = {"csv": "text/csv", "json": "application/json",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    if run.source.format in mime:
        artifact["mimeType"] = mime[run.source.format]
    if run.source.format == "csv" and run.source.encoding:
        artifact["encoding"] = run.source.encoding
    driver = {"name": "shelfcheck", "version": header["tool"]["version"],
              "semanticVersion": header["tool"]["version"], "informationUri": INFORMATION_URI,
              "language": "zh-CN" if cat.lang == "zh" else "en-US", "rules": rules}
    out.write("{\n")
    out.write(f'  "$schema": {_dump(SARIF_SCHEMA)},\n')
    out.write(f'  "version": {_dump(SARIF_VERSION)},\n')
    out.write('  "runs": [\n    {\n')
    out.write(f'      "tool": {{"driver": {_dump(driver)}}},\n')
    if bases:
        out.write(f'      "originalUriBaseIds": {_dump(bases)},\n')
    out.write(f'      "artifacts": [{_dump(artifact)}],\n')
    out.write('      "columnKind": "unicodeCodePoints",\n')
    out.write('      "results": [')
    summary = Summary()
    summary.add_findings(run.shop_findings)
    first = True

    def emit(result: dict[str, Any]) -> None:
        nonlocal first
        out.write(("\n        " if first else ",\n        ") + _dump(result))
        first = False

    for f in run.shop_findings:
        emit(_result(f, cat, location, 1, index, "shop", "shop"))
    listing: ListingResult
    for listing in run.results():
        summary.add_listing(listing)
        logical = listing.seller_sku or f"row {listing.row}"
        key = listing.seller_sku or f"row:{listing.row}"
        for f in listing.findings:
            result = _result(f, cat, location, listing.row, index, logical, key)
            result["properties"]["seller_sku"] = listing.seller_sku
            result["properties"]["row"] = listing.row
            emit(result)
    products = product_results(run)
    for product in products() if products is not None else ():
        summary.add_product(product.status, product.findings, len(product.rows_failed_by_product()))
        key = product.product.key
        for f in product.findings:  # once, at the product's first covered row, the others related
            rows = sorted(f.evidence.get("rows") or product.product.rows)
            logical = f"product {key}" if key is not None else f"row {rows[0]}"
            result = _result(f, cat, location, rows[0], index, logical, f"product:{key}")
            result["relatedLocations"] = [
                {"id": n, "physicalLocation": {"artifactLocation": {**location, "index": 0},
                                               "region": {"startLine": row}}}
                for n, row in enumerate(rows[1:], 1)]
            result["properties"].update(product_key=key, rows=rows)
            emit(result)
    out.write("\n      ],\n" if not first else "],\n")
    out.write('      "invocations": [{"executionSuccessful": true}],\n')
    properties = {"policy": header["policy"], "as_of": header["as_of"],
                  "summary": {"listings": summary.listings, "passed": summary.passed,
                              "failed": summary.failed, "errors": summary.errors,
                              "warnings": summary.warnings, "products": summary.products},
                  "by_code": dict(sorted(summary.by_code.items()))}
    out.write(f'      "properties": {_dump(properties)}\n')
    out.write("    }\n  ]\n}\n")
    return summary


def report(run: Any, out: IO[str], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point (see :mod:`shelfcheck.reporters`)."""
    return write_sarif(run, out, cat)
