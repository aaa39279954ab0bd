"""JUnit XML for CI systems: one test case per listing, a failure per blocking finding.

The suite holds a test case per catalogue row, named by row and SKU (plus one for the shop and
channel when a shop profile was checked). Each finding at or above the run's ``fail_on``
severity (``error`` by default, ``warning`` with ``--fail-on warning``) is a ``<failure>`` whose
``type`` is the finding code; the other findings are listed in the case's ``<system-out>``. The
XML is written once the counts are known; cases are spooled to a temporary file meanwhile.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from shelfcheck.findings import Finding, Severity, Summary
from shelfcheck.i18n import Catalogue
from shelfcheck.reporters.deferred import ProductStatus
from shelfcheck.reporters.inert import REPLACE_ERRORS, xml_text
from shelfcheck.reporters.products import product_results, rows_text

__all__ = ["report", "write_junit", "xml_text"]

def _attr(text: object) -> str:
    return quoteattr(xml_text(text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _body(f: Finding, cat: Catalogue) -> str:
    lines = [f"{f.code} [{f.severity.label}] {f.field}", cat.message(f)]
    fix = cat.fix(f)
    if fix:
        lines.append(f"{cat.ui('rpt_fix_label')} {fix}")
    if f.evidence:
        lines.append(json.dumps(f.evidence, ensure_ascii=False, default=str))
    return "\n".join(lines)


def _case(name: str, classname: str, findings: list[Finding], threshold: Severity,
          cat: Catalogue, file: str, line: int | None, product: str = "") -> tuple[str, bool]:
    """One test case; ``product`` (the row fails with its product) is a failure of type
    ``product`` — the product's findings are failures of the product's own case."""
    location = f" file={_attr(file)}" + (f' line="{line}"' if line else "")
    parts = [f"    <testcase name={_attr(name)} classname={_attr(classname)}{location}>"]
    failing = [f for f in findings if f.severity >= threshold]
    if product:
        parts.append(f'      <failure type="product" message={_attr(product)}>{escape(xml_text(product))}</failure>')
    for f in sorted(failing, key=lambda f: -f.severity):
        parts.append(f"      <failure type={_attr(f.code)} message={_attr(cat.message(f))}>"
                     f"{escape(xml_text(_body(f, cat)))}</failure>")
    others = [f for f in findings if f.severity < threshold]
    if others:
        text = "\n\n".join(_body(f, cat) for f in others)
        parts.append(f"      <system-out>{escape(xml_text(text))}</system-out>")
    if len(parts) == 1:
        return parts[0][:-1] + "/>\n", False
    parts.append("    </testcase>\n")
    return "\n".join(parts), bool(failing) or bool(product)


def write_junit(run: Any, out: IO[str], cat: Catalogue, *, fail_on: str = "error") -> Summary:
    """Write the JUnit XML of a run; return the summary (counted while streaming)."""
    started = time.perf_counter()
    threshold = Severity.parse(fail_on)
    header = run.header()
    source = Path(run.source.path)
    file = str(run.source.path)
    classname = source.name
    summary = Summary()
    summary.add_findings(run.shop_findings)
    tests = failures = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors=REPLACE_ERRORS) as spool:
        if run.shop_findings:
            text, failed = _case(cat.ui("rpt_junit_shop"), classname, run.shop_findings, threshold,
                                 cat, file, None)
            spool.write(text)
            tests += 1
            failures += failed
        # Rows wait on disk until the products are read: a row whose product has a finding at
        # the threshold fails with it (contract §4).
        status = ProductStatus(summary, product_results(run), cat, threshold)
        status.read(run.results(), keep=lambda product: bool(product.findings))
        for result, why in status.rows():
            name = cat.ui("rpt_junit_case", row=result.row, sku=result.seller_sku or cat.ui("rpt_no_sku"))
            own_failure = any(f.severity >= threshold for f in result.findings)
            text, failed = _case(name, classname, result.findings, threshold, cat, file, result.row,
                                 why.text(cat) if why is not None and not own_failure else "")
            spool.write(text)
            tests += 1
            failures += failed
        for product in status.products:  # one case per product finding set
            rows = product.product.rows
            key = product.product.key
            name = cat.ui("product_heading", product=key, skus=len(rows), rows=rows_text(rows))
            text, failed = _case(name, classname, product.findings, threshold, cat, file, rows[0])
            spool.write(text)
            tests += 1
            failures += failed
        elapsed = f"{time.perf_counter() - started:.3f}"
        policy = header["policy"]
        counts = f'tests="{tests}" failures="{failures}" errors="0" skipped="0" time="{elapsed}"'
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<testsuites name="shelfcheck" {counts}>\n')
        out.write(f"  <testsuite name={_attr('shelfcheck ' + source.name)} {counts}>\n")
        out.write("    <properties>\n")
        for key, value in (("tool", f"shelfcheck {header['tool']['version']}"),
                           ("policy", f"{policy['name']} {policy['version']}"),
                           ("as_of", header["as_of"]), ("catalogue", file), ("fail_on", threshold.label)):
            out.write(f"      <property name={_attr(key)} value={_attr(value)}/>\n")
        out.write("    </properties>\n")
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.write("  </testsuite>\n</testsuites>\n")
    return summary


def report(run: Any, out: IO[str], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point (see :mod:`shelfcheck.reporters`)."""
    return write_junit(run, out, cat, fail_on=getattr(options, "fail_on", None) or "error")
