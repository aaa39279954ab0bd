"""Policy packs: thresholds, categories, required documents and severities, as YAML data."""

from shelfcheck.policy.categories import CategoryMatch, CategoryTree, split_path
from shelfcheck.policy.loader import DEFAULT_POLICY, builtin_policies, load_policy
from shelfcheck.policy.schema import Policy
from shelfcheck.policy.text import fill_policy

__all__ = [
    "DEFAULT_POLICY",
    "CategoryMatch",
    "CategoryTree",
    "Policy",
    "builtin_policies",
    "fill_policy",
    "load_policy",
    "split_path",
]
