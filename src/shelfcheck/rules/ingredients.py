"""Placeholder: being written (see the rule family's owner)."""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit, Severity
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import rule

__all__: list[str] = []


@rule("missing_ingredients", family="ingredients")
def missing_ingredients(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("ingredient_not_inci", family="ingredients")
def ingredient_not_inci(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("cpi_ingredients_mismatch", family="ingredients")
def cpi_ingredients_mismatch(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("document_file_unreadable", family="ingredients", severity=Severity.WARNING)
def document_file_unreadable(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())
