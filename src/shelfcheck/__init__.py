"""shelfcheck: every reason TikTok Shop US would refuse a product, before you publish it.

The library API is small: :func:`check` a catalogue to get a :class:`Report`; each
:class:`ListingResult` holds :class:`Finding` objects with a stable code, a :class:`Severity`, the
field they point at and the measured evidence. :func:`load_policy` loads a policy pack;
:func:`fix` writes a fixed copy of a catalogue and checks it again.

The names below load on first use (``import shelfcheck`` itself costs almost nothing), so the
command line starts fast and a program that only needs, say, :class:`Severity` does not pay for
the engine.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "Preflight": "shelfcheck.api",
    "check": "shelfcheck.api",
    "prepare": "shelfcheck.api",
    "fix": "shelfcheck.fix",
    "InputError": "shelfcheck.errors",
    "PolicyError": "shelfcheck.errors",
    "ShelfcheckError": "shelfcheck.errors",
    "Finding": "shelfcheck.findings",
    "ListingResult": "shelfcheck.findings",
    "Report": "shelfcheck.findings",
    "Severity": "shelfcheck.findings",
    "Summary": "shelfcheck.findings",
    "Policy": "shelfcheck.policy",
    "load_policy": "shelfcheck.policy",
    "Product": "shelfcheck.products",
    "Sku": "shelfcheck.products",
    "ProductResult": "shelfcheck.rules.variants",
}

if _TYPE_CHECKING:  # for type checkers and editors: the same names, eagerly
    from shelfcheck.api import Preflight, check, prepare
    from shelfcheck.errors import InputError, PolicyError, ShelfcheckError
    from shelfcheck.findings import Finding, ListingResult, Report, Severity, Summary
    from shelfcheck.fix import fix
    from shelfcheck.policy import Policy, load_policy
    from shelfcheck.products import Product, Sku
    from shelfcheck.rules.variants import ProductResult


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'shelfcheck' has no attribute {name!r}")
    if module == f"shelfcheck.{name}":  # a callable package: shelfcheck.fix(...)
        value = _importlib.import_module(module)
        globals()[name] = value
        return value
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Finding",
    "InputError",
    "ListingResult",
    "Policy",
    "PolicyError",
    "Preflight",
    "Product",
    "ProductResult",
    "Report",
    "Severity",
    "ShelfcheckError",
    "Sku",
    "Summary",
    "__version__",
    "check",
    "fix",
    "load_policy",
    "prepare",
]
