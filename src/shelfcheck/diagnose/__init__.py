"""After a failure: the four-level diagnosis, triage, the support case, platform error codes.

* :func:`diagnose` — walk the four levels (last failure reason → documents → inventory sync →
  escalation) and stop at the first that explains the failure;
* :func:`triage` — "two checks and one try": system problem or data problem?
* :func:`draft_case` — the Seller Center case (``Listing & Catalog`` > ``Product Submission
  Failure``), with the urgent channel only when it is allowed;
* :func:`explain_platform_code` — our own cause / fix / retry table for platform codes, with the
  official message from the imported ``tiktok-errors`` dataset.
"""

from shelfcheck.diagnose.case import CASE_CATEGORY, CaseDraft, draft_case, render_case
from shelfcheck.diagnose.known_good import KNOWN_GOOD, KNOWN_GOOD_SKU
from shelfcheck.diagnose.levels import LEVELS, Diagnosis, Level, diagnose
from shelfcheck.diagnose.platform_errors import (
    PlatformExplanation,
    explain_platform_code,
    is_platform_code,
    render_platform_explanation,
)
from shelfcheck.diagnose.triage import Check, Triage, triage, try_endpoint, try_offline

__all__ = [
    "CASE_CATEGORY",
    "KNOWN_GOOD",
    "KNOWN_GOOD_SKU",
    "LEVELS",
    "CaseDraft",
    "Check",
    "Diagnosis",
    "Level",
    "PlatformExplanation",
    "Triage",
    "diagnose",
    "draft_case",
    "explain_platform_code",
    "is_platform_code",
    "render_case",
    "render_platform_explanation",
    "triage",
    "try_endpoint",
    "try_offline",
]
