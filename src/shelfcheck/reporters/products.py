"""Helpers every reporter uses to show products (contract §4, ``products``).

A product-level finding is shown once, at its product, with the rows it covers; products of one
SKU without product-level findings are their listing and need no section of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["attributes_text", "product_results", "rows_text", "worth_showing"]


def rows_text(rows: Iterable[int]) -> str:
    """Rows as people read them: ``2–4, 7``."""
    ordered = sorted(set(rows))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


def attributes_text(attributes: dict[str, str]) -> str:
    """``Color: Red; Size: M`` (``-`` when there are none)."""
    return "; ".join(f"{name}: {value}" for name, value in attributes.items()) or "-"


def worth_showing(product: Any) -> bool:
    """True for a product of several SKUs or with product-level findings."""
    return len(product.product.skus) > 1 or bool(product.findings)


def product_results(run: Any) -> Callable[[], Iterator[Any]] | None:
    """The run's products, to be read once its listings are consumed (``None`` without them)."""
    products = getattr(run, "products", None)
    return products if callable(products) else None
