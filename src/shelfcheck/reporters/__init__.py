"""Reporters: render a run for people (table, HTML, the seller's sheet) and machines (JSON, SARIF).

Every reporter is a function ``report(run, out, cat, options) -> Summary`` that consumes the
run's results once (streaming) and writes to ``out`` — a text stream, or a binary one for the
formats marked binary below. Messages come from the catalogue ``cat`` of the chosen language.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from shelfcheck.lazy import lazy_getattr

if TYPE_CHECKING:
    from shelfcheck.api import Preflight
    from shelfcheck.findings import Summary
    from shelfcheck.i18n import Catalogue
    from shelfcheck.reporters.json import finding_dict, listing_dict, write_json
    from shelfcheck.reporters.table import write_table

__all__ = ["FORMATS", "ReportOptions", "Reporter", "finding_dict", "get_reporter", "listing_dict",
           "write_json", "write_table"]


@dataclass
class ReportOptions:
    """Options every reporter may read."""

    output: Path | None = None
    color: bool | None = None
    fail_on: str = "error"


Reporter = Callable[["Preflight", IO[Any], "Catalogue", ReportOptions], "Summary"]

# format → (module:function, writes bytes)
FORMATS: dict[str, tuple[str, bool]] = {
    "table": ("shelfcheck.reporters.table:report", False),
    "json": ("shelfcheck.reporters.json:report", False),
    "html": ("shelfcheck.reporters.html:report", False),
    "xlsx": ("shelfcheck.reporters.sheet:report_xlsx", True),
    "csv": ("shelfcheck.reporters.sheet:report_csv", True),
    "sarif": ("shelfcheck.reporters.sarif:report", False),
    "junit": ("shelfcheck.reporters.junit:report", False),
}


# Re-exported helpers, loaded on first use: a JSON report never loads the terminal renderer.
_LAZY = {
    "finding_dict": "shelfcheck.reporters.json",
    "listing_dict": "shelfcheck.reporters.json",
    "write_json": "shelfcheck.reporters.json",
    "write_table": "shelfcheck.reporters.table",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


def get_reporter(fmt: str) -> tuple[Reporter, bool]:
    """The reporter function of a format and whether it writes bytes.

    Raises:
        KeyError: unknown format. ImportError: the format's module is not available.
    """
    target, binary = FORMATS[fmt]
    module_name, func = target.split(":")
    module = importlib.import_module(module_name)
    return getattr(module, func), binary
