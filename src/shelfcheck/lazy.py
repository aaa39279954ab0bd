"""Names a package exports but loads on first use (a module-level ``__getattr__``, PEP 562).

A package lists ``name → defining module`` and sets ``__getattr__ = lazy_getattr(__name__, _LAZY)``:
importing the package then costs nothing, and the first access to a name imports its module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that loads each of ``names`` from its module."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
