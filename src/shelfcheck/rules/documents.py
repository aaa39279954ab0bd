"""Compliance document rules: FCC, FDA, CPI and CPC, and the state of each document.

Which documents a listing needs comes from the policy (``category_groups[*].requires``). A
document *applies* to a listing when its ``applies_to`` names the seller SKU, the model number or
``*``. ``missing_*`` means none applies; when one applies but cannot be used, the finding says why
(not verified, expired, issued before the model's first filing, or a row that cannot be read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from shelfcheck.analysis.fcc import parse_fcc_id
from shelfcheck.analysis.fda import FDA_LENGTHS, normalise_fda_number, valid_fda_number
from shelfcheck.findings import Hit
from shelfcheck.model import Document
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.registry import family, rule

__all__ = ["DOCUMENT_FOR_REQUIREMENT", "DocumentCheck", "document_checks"]

_CHECKS: Slot[dict[str, list[DocumentCheck]]] = Slot("document_checks")  # by document type
_REQUIRED: Slot[list[str]] = Slot("required_document_types")

# Which document type satisfies which requirement of the policy.
DOCUMENT_FOR_REQUIREMENT = {
    "fcc_test_report": "FCC_TEST_REPORT",
    "fda_registration": "FDA_FACILITY_REGISTRATION",
    "cpi": "CPI",
    "cpc": "CPC",
}


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """One applicable document and why it cannot be used (empty ``problems`` = usable)."""

    doc: Document
    problems: tuple[tuple[str, dict[str, object]], ...]
    days_left: int | None

    @property
    def usable(self) -> bool:
        return not self.problems


def _filing_date(c: ListingContext) -> dt.date | None:
    value: dt.date | None = c.typed("model_first_filing_date").value
    return value


def _assess(c: ListingContext, doc: Document) -> DocumentCheck:
    problems: list[tuple[str, dict[str, object]]] = []
    if doc.problems:
        problems.append(("document_invalid", {"problems": list(doc.problems)}))
    accepted = c.policy.documents.accepted_status
    if doc.status not in accepted:
        problems.append(("document_not_verified", {"status": doc.status or None, "required": list(accepted)}))
    days_left = None
    if doc.expires_on is not None:
        days_left = (doc.expires_on - c.as_of).days
        if days_left < 0:
            problems.append(("document_expired", {"expires_on": doc.expires_on.isoformat(),
                                                  "as_of": c.as_of.isoformat(), "days_left": days_left}))
    if doc.type == "FCC_TEST_REPORT":
        filed = _filing_date(c)
        if filed is not None and doc.issued_on is not None and doc.issued_on < filed:
            problems.append(("fcc_report_predates_model_filing",
                             {"issued_on": doc.issued_on.isoformat(),
                              "model_first_filing_date": filed.isoformat()}))
    return DocumentCheck(doc, tuple(problems), days_left)


def document_checks(c: ListingContext, doc_type: str) -> list[DocumentCheck]:
    """Every document of ``doc_type`` that applies to the listing, assessed (cached per listing)."""
    cache = c.once(_CHECKS, dict)
    if doc_type not in cache:
        cache[doc_type] = [_assess(c, d) for d in c.documents_of(doc_type)]
    return cache[doc_type]


def _required_types(c: ListingContext) -> list[str]:
    return c.once(_REQUIRED, lambda: _required_types_of(c))


def _required_types_of(c: ListingContext) -> list[str]:
    types: list[str] = []
    for requirement, doc_type in DOCUMENT_FOR_REQUIREMENT.items():
        if not c.requires(requirement):
            continue
        if requirement == "fda_registration" and c.get("fda_registration_number"):
            continue  # the column wins over a document
        types.append(doc_type)
    return types


def _unusable(c: ListingContext, code: str) -> Iterator[Hit]:
    """Hits for ``code`` on required documents when none of that type is usable."""
    for doc_type in _required_types(c):
        checks = document_checks(c, doc_type)
        if not checks or any(ch.usable for ch in checks):
            continue
        for ch in checks:
            for problem_code, evidence in ch.problems:
                if problem_code == code:
                    yield Hit(f"documents[{ch.doc.doc_id}]",
                              {"doc_id": ch.doc.doc_id, "type": doc_type, **evidence},
                              {"doc_type": doc_type})


def _missing(c: ListingContext, requirement: str) -> Iterator[Hit]:
    doc_type = DOCUMENT_FOR_REQUIREMENT[requirement]
    if c.requires(requirement) and not document_checks(c, doc_type):
        matched_by = [v for v in (c.get("seller_sku"), c.get("model_number")) if v]
        yield Hit("documents", {"required_type": doc_type, "matched_by": matched_by,
                                "category": c.category.top if c.category else None})


def _documents_apply(c: ListingContext) -> bool:
    """A listing whose category needs no document and that names no FCC ID or FDA number."""
    values = c.listing.values
    return bool(c.requirements or values.get("fcc_id") or values.get("fda_registration_number"))


family("documents", gate=_documents_apply)


@rule("missing_fcc_id", family="documents", reads=("category_groups",))
def missing_fcc_id(c: ListingContext) -> Iterator[Hit]:
    """An electronics product has no FCC ID.

    What it checks:
        The ``fcc_id`` column is filled for categories whose group requires ``fcc_id``
        (electronics: Phones & Electronics, Computers & Office Equipment, Household Appliances).
    Why the platform refuses it:
        Electronics must carry FCC authorization; the platform checks the FCC ID against the
        uploaded certificate and test report.
    Bad:
        a Bluetooth speaker with an empty ``fcc_id``
    Good:
        ``fcc_id: 2AGN7-X9``
    """
    if c.requires("fcc_id") and not c.get("fcc_id"):
        yield Hit("fcc_id", {"category": c.category.top if c.category else None})


@rule("invalid_fcc_id", family="documents")
def invalid_fcc_id(c: ListingContext) -> Iterator[Hit]:
    """The FCC ID is not well formed (47 CFR 2.926).

    What it checks:
        After upper-casing and removing spaces: a grantee code of 3 characters starting with a
        letter, or 5 characters starting with a digit 2–9 (no 0 or 1), then a product code of
        1–14 characters from A–Z, 0–9 and single hyphens. When an imported FCC grantee list knows
        the grantee code, its name is given in the evidence (the lists are partial: an unknown
        code is not an error).
    Why the platform refuses it:
        The platform matches the FCC ID against the FCC database and the uploaded documents; an
        ID that cannot exist is rejected.
    Bad:
        ``fcc_id: 2A1BC-X`` (5-character grantee codes never contain 1), ``2AGN7--X9``
    Good:
        ``fcc_id: 2AGN7-X9``
    """
    text = c.get("fcc_id")
    if not text:
        return
    parsed = parse_fcc_id(text)
    if not parsed.valid:
        evidence: dict[str, object] = {"value": text, "normalised": parsed.text, "reason": parsed.problem}
        evidence.update(_grantee_evidence(c, parsed.grantee))
        yield Hit("fcc_id", evidence, {"reason": parsed.problem})


def _grantee_evidence(c: ListingContext, grantee: str) -> dict[str, object]:
    """The grantee's registered name when an imported FCC grantee list knows the code.

    The lists are partial, so a code they do not know is not evidence of anything.
    """
    names = c.run.datasets.grantees
    if not grantee or not names or grantee not in names:
        return {}
    return {"grantee": grantee, "grantee_name": names[grantee],
            "grantee_list": c.run.datasets.provenance.get("fcc-grantees")}


@rule("missing_fcc_test_report", family="documents", reads=("category_groups",),
      platform=("12052105",))
def missing_fcc_test_report(c: ListingContext) -> Iterator[Hit]:
    """No FCC test report applies to the product or its model.

    What it checks:
        For categories requiring ``fcc_test_report``, a document of type ``FCC_TEST_REPORT``
        whose ``applies_to`` names the SKU, the model number or ``*``. An ``FCC_GRANT`` is not a
        test report.
    Why the platform refuses it:
        Electronics must upload the FCC test report (FCC Part 15B) besides the FCC ID; 43.8 % of
        publishing failures in the brief's sample came from missing or expired FCC/FDA files.
    Bad:
        only an ``FCC_GRANT`` row for the model
    Good:
        an ``FCC_TEST_REPORT`` row with ``applies_to: EB-001|EB-MODEL-1``
    """
    for hit in _missing(c, "fcc_test_report"):
        grants = [d.doc_id for d in c.documents_of("FCC_GRANT")]
        if grants:
            hit.evidence["grants_found"] = grants
        if c.get("fcc_id"):
            hit.evidence.update(_grantee_evidence(c, parse_fcc_id(c.get("fcc_id")).grantee))
        yield hit


@rule("fcc_report_predates_model_filing", family="documents")
def fcc_report_predates_model_filing(c: ListingContext) -> Iterator[Hit]:
    """The FCC test report was issued before the model was first filed.

    What it checks:
        ``issued_on`` of each applicable ``FCC_TEST_REPORT`` against the listing's
        ``model_first_filing_date``, when no applicable report is usable.
    Why the platform refuses it:
        A report older than the model's first filing cannot have tested this model; the review
        engine flags the date conflict.
    Bad:
        report issued 2023-01-10, model first filed 2023-05-01
    Good:
        report issued 2023-06-15 for a model first filed 2023-05-01
    """
    yield from _unusable(c, "fcc_report_predates_model_filing")


@rule("missing_fda_registration", family="documents", reads=("category_groups",),
      platform=("12052105",))
def missing_fda_registration(c: ListingContext) -> Iterator[Hit]:
    """A beauty product has no FDA registration number.

    What it checks:
        For categories requiring ``fda_registration``: the ``fda_registration_number`` column, or
        an applicable ``FDA_FACILITY_REGISTRATION`` document.
    Why the platform refuses it:
        Beauty products need the FDA facility registration number (MoCRA, enforced from
        2024-07-01) on the listing.
    Bad:
        a face cream with no FDA number and no FDA document
    Good:
        ``fda_registration_number: 3012345678``
    """
    if c.requires("fda_registration") and not c.get("fda_registration_number"):
        if not document_checks(c, "FDA_FACILITY_REGISTRATION"):
            yield Hit("fda_registration_number", {"category": c.category.top if c.category else None})


@rule("invalid_fda_registration", family="documents")
def invalid_fda_registration(c: ListingContext) -> Iterator[Hit]:
    """The FDA registration number is not 7, 10 or 11 digits.

    What it checks:
        The number in the ``fda_registration_number`` column (or, when it is empty, the number of
        each applicable ``FDA_FACILITY_REGISTRATION`` document), spaces and hyphens removed.
    Why the platform refuses it:
        FDA facility numbers (FEI) have 10 digits (7 for legacy ones; food-style numbers 11); any
        other form cannot be matched and is rejected.
    Bad:
        ``fda_registration_number: FDA-12345``
    Good:
        ``fda_registration_number: 3012345678``
    """
    column = c.get("fda_registration_number")
    if column:
        if not valid_fda_number(column):
            yield Hit("fda_registration_number", {"value": column, "digits": len(normalise_fda_number(column)),
                                                  "allowed_lengths": list(FDA_LENGTHS)})
        return
    if not c.requires("fda_registration"):
        return
    for ch in document_checks(c, "FDA_FACILITY_REGISTRATION"):
        number = ch.doc.number
        if number and not valid_fda_number(number):
            yield Hit(f"documents[{ch.doc.doc_id}].number",
                      {"value": number, "digits": len(normalise_fda_number(number)),
                       "allowed_lengths": list(FDA_LENGTHS), "doc_id": ch.doc.doc_id})


@rule("missing_cpi", family="documents", reads=("category_groups",),
      platform=("12052105",))
def missing_cpi(c: ListingContext) -> Iterator[Hit]:
    """A beauty product has no Cosmetic Product Ingredient Statement (CPI).

    What it checks:
        For categories requiring ``cpi``, a ``CPI`` document that applies to the SKU, its model
        or ``*``.
    Why the platform refuses it:
        Beauty listings need the CPI besides the FDA number; the review engine compares it with
        the listed ingredients.
    Bad:
        a serum with no CPI row in documents.csv
    Good:
        a ``CPI`` row with ``applies_to: SERUM-01``
    """
    yield from _missing(c, "cpi")


@rule("missing_cpc", family="documents", reads=("category_groups",),
      platform=("12052105",))
def missing_cpc(c: ListingContext) -> Iterator[Hit]:
    """A children's product has no Children's Product Certificate (CPC).

    What it checks:
        For categories requiring ``cpc`` (Toys & Hobbies, Kids' Fashion, Baby & Maternity), a
        ``CPC`` document that applies to the SKU, its model or ``*``.
    Why the platform refuses it:
        US law (CPSIA) requires a CPC based on tests by a CPSC-accepted lab for products for
        children 12 and under; TikTok Shop asks for it before listing.
    Bad:
        a plush toy with no CPC row
    Good:
        a ``CPC`` row with ``applies_to: TOY-01``
    """
    yield from _missing(c, "cpc")


@rule("document_not_verified", family="documents", reads=("documents.accepted_status",))
def document_not_verified(c: ListingContext) -> Iterator[Hit]:
    """A required document is not ``Verified`` (Submitted, Pending Review or Rejected).

    What it checks:
        The ``status`` of every applicable document of a required type, when none of that type is
        usable. Only ``Verified`` satisfies a requirement.
    Why the platform refuses it:
        The platform accepts only documents it has verified; a submitted or pending file does not
        unlock publishing, and a rejected one never will.
    Bad:
        ``FCC-7, FCC_TEST_REPORT, status: Pending Review``
    Good:
        ``status: Verified``
    """
    yield from _unusable(c, "document_not_verified")


@rule("document_expired", family="documents",
      platform=("12052385",))
def document_expired(c: ListingContext) -> Iterator[Hit]:
    """A required document expired before the as-of day.

    What it checks:
        ``expires_on`` < the as-of day for every applicable document of a required type, when none
        of that type is usable.
    Why the platform refuses it:
        Expired certificates and registrations are treated as missing.
    Bad:
        ``expires_on: 2024-06-30`` checked on 2024-08-01
    Good:
        a renewed document with a later ``expires_on``
    """
    yield from _unusable(c, "document_expired")


@rule("document_invalid", family="documents")
def document_invalid(c: ListingContext) -> Iterator[Hit]:
    """A required document's row cannot be read: unknown type or a date that is not a date.

    What it checks:
        The row of every applicable document of a required type, when none of that type is
        usable: ``issued_on`` and ``expires_on`` must be ``YYYY-MM-DD``.
    Why the platform refuses it:
        Dates decide whether a document is valid; one that cannot be read cannot be trusted to
        satisfy the requirement.
    Bad:
        ``expires_on: 31/02/2025``
    Good:
        ``expires_on: 2025-02-28``
    """
    yield from _unusable(c, "document_invalid")


@rule("document_expiring_soon", family="documents",
      reads=("documents.expiring_soon_days",))
def document_expiring_soon(c: ListingContext) -> Iterator[Hit]:
    """The only usable document of a required type expires within {documents.expiring_soon_days} days.

    What it checks:
        For each required document type, the usable document with the latest expiry has
        0–{documents.expiring_soon_days} days left (``documents.expiring_soon_days``).
    Why the platform refuses it:
        It does not refuse yet — but once the document expires the product is delisted; renewal
        and re-verification take time.
    Bad:
        the only FCC report expires in 12 days
    Good:
        a renewed report uploaded before the old one expires
    """
    window = c.policy.documents.expiring_soon_days
    for doc_type in _required_types(c):
        usable = [ch for ch in document_checks(c, doc_type) if ch.usable]
        if not usable or any(ch.days_left is None for ch in usable):
            continue
        best = max(usable, key=lambda ch: ch.days_left or 0)
        if best.days_left is not None and 0 <= best.days_left <= window:
            assert best.doc.expires_on is not None
            yield Hit(f"documents[{best.doc.doc_id}]",
                      {"doc_id": best.doc.doc_id, "type": doc_type, "days_left": best.days_left,
                       "expires_on": best.doc.expires_on.isoformat(), "window_days": window},
                      {"doc_type": doc_type})
