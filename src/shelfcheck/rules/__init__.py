"""The rules, one module per family. Importing this package registers every finding code."""

from shelfcheck.rules import (  # noqa: F401  (imported for registration, in report order)
    shop,
    category,
    category_tree,
    category_rules,
    attribute_values,
    text,
    images,
    documents,
    ingredients,
    labeling,
    inventory,
    ledger,
    values,
    record,
    description,
    asset_files,
    size_chart,
    package,
    pricing,
    cells,
    sales_attributes,
    certifications,
    variants,
)
from shelfcheck.rules.registry import (
    DOC_SECTIONS,
    FAMILIES,
    RULES,
    Family,
    Rule,
    RuleDoc,
    effective_severity,
    family,
    family_of,
    rule,
)

__all__ = ["DOC_SECTIONS", "FAMILIES", "RULES", "Family", "Rule", "RuleDoc", "effective_severity", "family",
           "family_of", "rule"]
