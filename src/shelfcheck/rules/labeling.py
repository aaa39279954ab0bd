"""Placeholder: being written (see the rule family's owner)."""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit, Severity
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import rule

__all__: list[str] = []


@rule("origin_label_missing", family="labeling")
def origin_label_missing(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("origin_label_invalid", family="labeling")
def origin_label_invalid(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("manufacturer_address_missing", family="labeling")
def manufacturer_address_missing(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("manufacturer_address_is_factory_name", family="labeling")
def manufacturer_address_is_factory_name(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())


@rule("manufacturer_address_incomplete", family="labeling")
def manufacturer_address_incomplete(c: ListingContext) -> Iterator[Hit]:
    """Placeholder."""
    return iter(())
