"""What ``shelfcheck fix`` does with each finding code, in one word (for the reports).

``safe``: fixed and applied by default; ``suggested``: a change proposed for review (written with
``--apply-suggested``); ``mixed``: safe for some values, suggested for others; ``cannot``: named
in the change log as not fixable. The fix plan (:data:`shelfcheck.fix.plan.FIXES`) has exactly
these codes (a test keeps them in step). No imports, and outside the fix package: a reporter
reads it without the fixers (which write their CSV through the reporters' inert cells).
"""

from __future__ import annotations

__all__ = ["FIX_KINDS"]

FIX_KINDS: dict[str, str] = {
    "title_format_invalid": "safe",
    "title_not_english": "mixed",
    "title_too_long": "suggested",
    "sku_not_english": "suggested",
    "sku_too_long": "suggested",
    "origin_label_invalid": "safe",
    "origin_label_missing": "suggested",
    "ingredient_not_inci": "mixed",
    "category_unknown": "suggested",
    "manufacturer_address_is_factory_name": "cannot",
    "inventory_drift_exceeded": "suggested",
    "image_wrong_size": "safe",
    "image_format_unsupported": "safe",
    "image_file_too_large": "safe",
    "image_background_not_white": "safe",
    "image_duplicate": "suggested",
}
