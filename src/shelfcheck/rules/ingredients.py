"""Ingredient rules: the declared list exists, every name is INCI, and the CPI says the same.

The declared list is the ``ingredients`` column, split by :func:`shelfcheck.analysis.inci.
split_ingredients` (commas, except between digits and inside brackets). The CPI's list is read
from each applicable, usable ``CPI`` document's file by :mod:`shelfcheck.analysis.cpi`. Names are
checked against the CosIng inventory when it is installed (``shelfcheck data import cosing``), else
against the built-in list of common INCI names, which reports only names that are clearly not
INCI; every finding says which dictionary it used (``dictionary``: ``builtin`` or
``cosing@<date>``).

These rules apply to listings whose category requires ``ingredients`` or ``cpi`` (beauty).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.documents import DocumentCheck, document_checks
from shelfcheck.rules.registry import family, rule

if TYPE_CHECKING:  # the analyses load on the first listing whose category needs them
    from shelfcheck.analysis.cpi import CpiContent, CpiReader
    from shelfcheck.analysis.inci import InciDictionary, InciVerdict

__all__ = ["CpiList", "cpi_lists", "declared_ingredients", "inci_dictionary"]

_DECLARED: Slot[list[str]] = Slot("declared_ingredients")
_READER: Slot[CpiReader] = Slot("cpi_reader")  # per run
_CPI_LISTS: Slot[list[CpiList]] = Slot("cpi_lists")


@dataclass(frozen=True, slots=True)
class CpiList:
    """A usable CPI document that applies to the listing, and what its file holds."""

    check: DocumentCheck
    content: CpiContent | None  # None when the document names no file

    @property
    def doc_id(self) -> str:
        return self.check.doc.doc_id


def _applies(c: ListingContext) -> bool:
    return c.requires("ingredients") or c.requires("cpi")


family("ingredients", gate=_applies)


def declared_ingredients(c: ListingContext) -> list[str]:
    """The ``ingredients`` column split into names (cached per listing)."""
    from shelfcheck.analysis.inci import split_ingredients

    return c.once(_DECLARED, lambda: split_ingredients(c.get("ingredients")))


def inci_dictionary(c: ListingContext) -> InciDictionary:
    """The run's INCI dictionary: CosIng when installed, else the built-in list."""
    from shelfcheck.analysis.inci import InciDictionary, builtin_dictionary

    found = getattr(c.run.datasets, "inci", None)
    return found if isinstance(found, InciDictionary) else builtin_dictionary()


def _reader(c: ListingContext) -> CpiReader:
    from shelfcheck.analysis.cpi import CpiReader

    return c.run.once(_READER, CpiReader)


def cpi_lists(c: ListingContext) -> list[CpiList]:
    """Usable (Verified, unexpired) CPI documents that apply, with their files read (cached)."""
    def make() -> list[CpiList]:
        found = []
        for ch in document_checks(c, "CPI"):
            if not ch.usable:
                continue  # not verified / expired: reported by the document rules
            file = ch.doc.file
            found.append(CpiList(ch, _reader(c).read(file) if file is not None else None))
        return found

    return c.once(_CPI_LISTS, make)


def _category(c: ListingContext) -> str | None:
    return c.category.top if c.category else None


@rule("missing_ingredients", family="ingredients", reads=("category_groups",))
def missing_ingredients(c: ListingContext) -> Iterator[Hit]:
    """A beauty product declares no ingredients.

    What it checks:
        For categories whose group requires ``ingredients`` (beauty: Beauty & Personal Care), the
        ``ingredients`` column holds at least one name.
    Why the platform refuses it:
        US law (21 CFR 701.3) requires the ingredient declaration for cosmetics, and the review
        engine compares the listed ingredients with the uploaded CPI; a beauty listing without
        them is refused.
    Bad:
        a face serum with an empty ``ingredients`` column
    Good:
        ``ingredients: Water, Glycerin, Niacinamide, Phenoxyethanol``
    """
    if not c.requires("ingredients") or declared_ingredients(c):
        return
    evidence: dict[str, object] = {"value": c.get("ingredients") or None, "category": _category(c),
                                   "min_names": 1}
    readable = [cl for cl in cpi_lists(c) if cl.content is not None and cl.content.ingredients]
    if readable:
        first = readable[0]
        assert first.content is not None and first.content.ingredients is not None
        evidence["cpi_doc_id"] = first.doc_id
        evidence["cpi_names"] = len(first.content.ingredients)
    yield Hit("ingredients", evidence)


def _problem(verdict: InciVerdict, remarks: str) -> tuple[str | None, str | None, tuple[str, ...]] | None:
    """(reason, advice, suggestions) when the name must be reported, else None.

    A name the dictionary reports; under ``parenthetical_remark: reject`` also an INCI name with a
    remark that is certainly not INCI (the name without it is suggested).
    """
    if verdict.reported:
        return verdict.reason, verdict.advice, verdict.suggestions
    if remarks == "reject" and verdict.inci and verdict.remark and verdict.remark_clear:
        return "inci_parenthetical_remark", "inci_advice_remove_remark", (verdict.bare or verdict.matched or "",)
    return None


def _not_inci_hit(field: str, source: str, position: int, verdict: InciVerdict, dictionary: InciDictionary,
                  reason: str | None, advice: str | None, suggestions: tuple[str, ...]) -> Hit:
    evidence: dict[str, object] = {
        "name": verdict.name,
        "position": position,
        "source": source,
        "reason": reason,
        "suggestions": list(suggestions),
        "dictionary": dictionary.label,
        "dictionary_complete": dictionary.complete,
    }
    if verdict.part is not None:
        evidence["part"] = verdict.part  # the part of a blend that is not INCI
    if reason == "inci_parenthetical_remark":
        evidence["remark"] = verdict.remark
    ctx: dict[str, object] = {
        "reason": reason,
        "advice": advice,
        "suggestions": list(suggestions) if suggestions else "inci_no_suggestion",
    }
    return Hit(field, evidence, ctx)


@rule("ingredient_not_inci", family="ingredients", reads=("ingredients",))
def ingredient_not_inci(c: ListingContext) -> Iterator[Hit]:
    """A declared or CPI ingredient is not an INCI name.

    What it checks:
        Every name in the ``ingredients`` column and in the list of each usable CPI document.
        With the CosIng inventory installed, a name absent from it is reported. The whole name is
        tried first (``Caprylic/Capric Triglyceride`` is one name); then a dual label passes when
        one side is INCI (``Persea Gratissima Oil/Avocado Oil``, ``Water\\Aqua\\Eau``), a blend
        when every part is (``Phenoxyethanol (and) Ethylhexylglycerin``), and a name followed by
        a bracketed remark when the name before it is (``Riboflavin (Vitamin B2)``; the policy's
        ``ingredients.parenthetical_remark: reject`` reports such remarks); a common name in
        brackets inside an INCI name (``Butyrospermum Parkii (Shea) Butter``), the US label
        names ``Fragrance``, ``Flavor`` and certified colours such as ``Red 40`` pass. A
        misspelling gets the closest INCI name as its suggestion. With only the
        built-in list, a name is reported only when it is clearly not INCI: a common label name
        (``Purified Water``, ``Vitamin E``), an INCI name with a qualifier (``Organic Aloe
        Barbadensis Leaf Juice``), a trade name (``®``/``™``, ``ACTIWHITE PW LS 9860``),
        marketing words (``Secret Complex``) or Chinese script. Each finding names the
        dictionary it used and suggests the INCI name (from the curated synonym table, else a
        close spelling); a name wrong in both lists is reported once, on the ``ingredients``
        column, with ``also_in``.
    Why the platform refuses it:
        The review engine matches the listing's ingredients and the CPI against INCI names;
        "Purified Water" instead of "Water" is judged inconsistent and the product is refused.
    Bad:
        ``ingredients: Purified Water, Glycerin, Vitamin E, Secret Complex``
    Good:
        ``ingredients: Water, Glycerin, Tocopherol``
    """
    if not _applies(c):
        return
    from shelfcheck.analysis.inci import name_key

    dictionary = inci_dictionary(c)
    remarks = c.run.policy.ingredients.parenthetical_remark
    hits: dict[str, Hit] = {}
    for i, name in enumerate(declared_ingredients(c)):
        verdict = dictionary.check(name)
        problem = _problem(verdict, remarks)
        if problem is not None:
            key = name_key(name)
            if key in hits:
                continue
            hits[key] = _not_inci_hit(f"ingredients[{i}]", "ingredients", i + 1, verdict, dictionary, *problem)
    for cl in cpi_lists(c):
        if cl.content is None or not cl.content.ingredients:
            continue
        where = f"documents[{cl.doc_id}]"
        for i, name in enumerate(cl.content.ingredients):
            verdict = dictionary.check(name)
            problem = _problem(verdict, remarks)
            if problem is None:
                continue
            key = name_key(name)
            known = hits.get(key)
            if known is not None:
                also = known.evidence.setdefault("also_in", [])
                if isinstance(also, list) and where not in also and known.evidence["source"] != where:
                    also.append(where)
                continue
            hits[key] = _not_inci_hit(f"{where}.ingredients[{i}]", where, i + 1, verdict, dictionary, *problem)
    yield from hits.values()


@rule("cpi_ingredients_mismatch", family="ingredients")
def cpi_ingredients_mismatch(c: ListingContext) -> Iterator[Hit]:
    """The CPI document's ingredient list differs from the declared one (content or order).

    What it checks:
        For each usable (Verified, unexpired) CPI document that applies to the listing and whose
        file is text or PDF: the list after ``Ingredients:`` (or ``成分:``) against the
        ``ingredients`` column, name by name in order, after normalisation (case, NFKC,
        whitespace, footnote marks and percentages). The evidence lists the names missing from
        the CPI, the extra ones, and the first position where the lists disagree. Nothing is
        reported when any usable CPI matches, nor when the column is empty
        (``missing_ingredients``). Image CPIs are checked for presence and status only.
    Why the platform refuses it:
        The review engine reads the CPI (OCR since July 2024) and compares it with the listing;
        a different name, a missing or extra ingredient, or a different order is an
        inconsistency and the product is refused.
    Bad:
        column ``Water, Glycerin, Niacinamide``; CPI ``Purified Water, Niacinamide, Glycerin``
    Good:
        the same names in the same order in both
    """
    if not _applies(c):
        return
    declared = declared_ingredients(c)
    if not declared:
        return
    from shelfcheck.analysis.inci import compare_lists

    comparable = [cl for cl in cpi_lists(c) if cl.content is not None and cl.content.ingredients]
    diffs = []
    for cl in comparable:
        assert cl.content is not None and cl.content.ingredients is not None
        diff = compare_lists(declared, cl.content.ingredients)
        if diff is None:
            return  # one matching CPI is enough
        diffs.append((cl, diff))
    for cl, diff in diffs:
        assert cl.content is not None and cl.content.ingredients is not None
        evidence = {
            "doc_id": cl.doc_id,
            "file": cl.content.path,
            "declared_count": len(declared),
            "cpi_count": len(cl.content.ingredients),
            "missing_from_cpi": list(diff.missing),
            "extra_in_cpi": list(diff.extra),
            "position": diff.first_difference + 1,
            "declared_at": diff.declared_at,
            "cpi_at": diff.cpi_at,
            "order_only": diff.order_only,
        }
        ctx = {
            "problem": "cpi_order_differs" if diff.order_only else "cpi_content_differs",
            "missing_from_cpi": list(diff.missing) or "inci_none",
            "extra_in_cpi": list(diff.extra) or "inci_none",
            "declared_at": diff.declared_at if diff.declared_at is not None else "cpi_list_ended",
            "cpi_at": diff.cpi_at if diff.cpi_at is not None else "cpi_list_ended",
        }
        yield Hit(f"documents[{cl.doc_id}]", evidence, ctx)


@rule("document_file_unreadable", family="ingredients")
def document_file_unreadable(c: ListingContext) -> Iterator[Hit]:
    """The file of a usable CPI document cannot be found or read, so its list was not compared.

    What it checks:
        For beauty listings, the ``file`` of each usable CPI document that applies: it exists,
        and a text or PDF file holds a readable ingredient list after ``Ingredients:`` (or
        ``成分:``). A PDF without a text layer (a scan) or a text file without that heading is
        reported too. Image CPIs only need to exist; a document without a ``file`` is not
        checked.
    Why the platform refuses it:
        It does not refuse on this alone, but the platform compares the uploaded CPI with the
        listing; a CPI we cannot read may hide a mismatch that will be refused.
    Bad:
        ``file: docs/cpi-serum.pdf`` that does not exist; a scanned PDF
    Good:
        a text PDF or ``.txt`` with ``Ingredients: Water, Glycerin, …``
    """
    if not _applies(c):
        return
    for cl in cpi_lists(c):
        content = cl.content
        if content is None or content.problem is None:
            continue
        evidence: dict[str, object] = {"doc_id": cl.doc_id, "type": "CPI", "file": content.path,
                                       "form": content.form, "reason": content.problem}
        if content.detail:
            evidence["error"] = content.detail
        yield Hit(f"documents[{cl.doc_id}].file", evidence, {"reason": content.problem})
