"""Reporters: render a run for people (table, HTML, the seller's sheet) and machines (JSON, SARIF).

Every reporter takes a :class:`~shelfcheck.api.Preflight` (or its report) and a language, and
writes to a text or binary stream. Messages come from the message catalogue of that language.
"""

from shelfcheck.reporters.json import finding_dict, write_json
from shelfcheck.reporters.table import write_table

__all__ = ["finding_dict", "write_json", "write_table"]
