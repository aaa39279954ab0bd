"""Policy numbers in prose: ``{images.min_side}`` in a text is filled from the pack in use.

Rule docstrings, the catalogues' ``summary``/``why`` entries and the platform error table never
write a threshold themselves; they name the pack key in braces, dotted (``{lock.lock_hours}``,
``{images.white_background.min_percent}``), and whoever shows the text fills it from the loaded
pack, so a pack that changes a number changes every text that states it. Braces without a dot
(``{min}``, the values of one finding) are left as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from shelfcheck.policy.schema import Policy

__all__ = ["POLICY_PLACEHOLDER", "fill_policy", "policy_keys", "policy_value"]

POLICY_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


def policy_value(policy: Policy, key: str) -> Any:
    """The value at a dotted key (``images.min_side``); ``KeyError`` when the pack has no such key."""
    value: Any = policy
    for part in key.split("."):
        if part.startswith("_") or not hasattr(value, part):
            raise KeyError(key)
        value = getattr(value, part)
    return value


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def fill_policy(text: str, policy: Policy) -> str:
    """``text`` with every ``{dotted.key}`` replaced by the pack's value.

    Raises:
        KeyError: a placeholder names no key of the pack (a typo in a docstring or catalogue).
    """
    if "{" not in text:
        return text
    return POLICY_PLACEHOLDER.sub(lambda m: _show(policy_value(policy, m.group(1))), text)


def policy_keys(text: str) -> list[str]:
    """The dotted keys a text names."""
    return POLICY_PLACEHOLDER.findall(text)
