"""The rules, one module per family. Importing this package registers every finding code."""

from shelfcheck.rules import (  # noqa: F401  (imported for registration, in report order)
    shop,
    category,
    text,
    images,
    documents,
    ingredients,
    labeling,
    inventory,
    ledger,
    values,
    record,
    package,
    pricing,
    cells,
)
from shelfcheck.rules.registry import (
    DOC_SECTIONS,
    GATES,
    MEMO_FIELDS,
    MEMO_IMAGES,
    RULES,
    RUN_GATES,
    Rule,
    RuleDoc,
    gate,
    memo_by,
    rule,
)

__all__ = ["DOC_SECTIONS", "GATES", "MEMO_FIELDS", "MEMO_IMAGES", "RULES", "RUN_GATES", "Rule", "RuleDoc",
           "gate", "memo_by", "rule"]
