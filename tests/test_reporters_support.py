"""Helpers shared by the reporter tests (this module holds no tests).

Snapshots live in ``tests/snapshots/``. After an intended change to a report, regenerate them with

    SHELFCHECK_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_reporters_snapshots.py

and review the diff (``git diff tests/snapshots``) before committing. Volatile parts (the tool
version, absolute paths, timings, embedded thumbnails, image hashes) are normalised first.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shelfcheck import __version__
from shelfcheck.api import Preflight, prepare
from shelfcheck.findings import Summary
from shelfcheck.i18n import catalogue
from shelfcheck.reporters import ReportOptions, get_reporter

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE_ENV = "SHELFCHECK_UPDATE_SNAPSHOTS"
AS_OF = dt.date(2024, 8, 1)


def make_example_images() -> Path:
    """Generate the example catalogue's images (deterministic, idempotent)."""
    subprocess.run([sys.executable, str(EXAMPLES / "make_images.py")], check=True,
                   capture_output=True, timeout=300)
    return EXAMPLES / "images"


def example_run(*, relative: bool = True) -> Preflight:
    """The example catalogue with its documents, shop profile and inventory, as of 2024-08-01.

    With ``relative`` the paths are given relative to the repository root, which must then be
    the working directory (``monkeypatch.chdir(ROOT)``).
    """
    base = Path("examples") if relative else EXAMPLES
    return prepare(base / "catalog.csv", documents=base / "documents.csv", shop=base / "shop.yaml",
                   inventory=base / "platform_inventory.csv", as_of=AS_OF, jobs=1)


def render(fmt: str, run: Preflight, lang: str = "en", **options: Any) -> tuple[bytes, Summary]:
    """Run the registered reporter of ``fmt`` and return what it wrote (as bytes) and its summary."""
    reporter, binary = get_reporter(fmt)
    opts = ReportOptions(**options)
    if binary:
        buf = io.BytesIO()
        summary = reporter(run, buf, catalogue(lang), opts)
        return buf.getvalue(), summary
    text = io.StringIO()
    summary = reporter(run, text, catalogue(lang), opts)
    return text.getvalue().encode("utf-8"), summary


def normalise(text: str) -> str:
    """Replace what changes between machines and releases by stable markers."""
    text = text.replace(ROOT.as_uri(), "file://<ROOT>").replace(str(ROOT), "<ROOT>")
    text = re.sub(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", "data:image/jpeg;base64,<thumbnail>", text)
    text = re.sub(r'(time=")[0-9.]+(")', r"\1<time>\2", text)
    text = re.sub(r'("sha256": ")[0-9a-f]{8,64}(")', r"\1<sha256>\2", text)
    text = re.sub(r"(<dt>sha256</dt><dd>)[0-9a-f]{8,64}(</dd>)", r"\1<sha256>\2", text)
    text = re.sub(r"(sha256=)[0-9a-f]{8,64}", r"\1<sha256>", text)
    # CSP hashes: one covers the thumbnails, whose JPEG bytes vary with the image library
    text = re.sub(r"'sha256-[A-Za-z0-9+/]{43}='", "'sha256-<hash>'", text)
    for version in {__version__}:
        text = re.sub(rf"(shelfcheck[ \"':,v=]+|\"version\": \"|\"semanticVersion\": \"){re.escape(version)}\b",
                      r"\g<1><version>", text)
    return text


def assert_snapshot(name: str, actual: str) -> None:
    """Compare ``actual`` with ``tests/snapshots/<name>``; rewrite it when updating is asked."""
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE_ENV):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8", newline="")
        return
    if not path.exists():
        pytest.fail(f"snapshot {path.name} is missing: run {UPDATE_ENV}=1 .venv/bin/pytest "
                    f"tests/test_reporters_snapshots.py and review it")
    expected = path.read_text("utf-8")
    if actual != expected:
        import difflib

        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"snapshots/{name}", "actual", n=2))
        pytest.fail(f"{name} differs from its snapshot (if intended, regenerate with "
                    f"{UPDATE_ENV}=1 and review the diff):\n{diff[:6000]}")


def dump_workbook(data: bytes) -> str:
    """A readable text dump of an XLSX: every sheet's values, highlighted cells and comments."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    lines: list[str] = []
    for ws in wb.worksheets:
        lines.append(f"== sheet {ws.title!r} ({ws.max_row} rows × {ws.max_column} columns)")
        for row in ws.iter_rows():
            for cell in row:
                marks = []
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid":
                    marks.append(f"fill={fill.fgColor.rgb}")
                if cell.value is None and not marks and cell.comment is None:
                    continue
                value = "" if cell.value is None else repr(cell.value)
                lines.append(f"{cell.coordinate} {value}{' [' + ', '.join(marks) + ']' if marks else ''}")
                if cell.comment is not None:
                    lines.append(f"  comment by {cell.comment.author}: {cell.comment.text!r}")
    return "\n".join(lines) + "\n"
