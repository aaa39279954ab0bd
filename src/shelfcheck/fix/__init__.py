"""``shelfcheck fix``: every safely fixable finding fixed, as a change the seller reviews.

``shelfcheck.fix(catalog, out, ...)`` checks the catalogue, writes a fixed copy into ``out``
(the originals are only read), checks the fixed copy and returns a
:class:`~shelfcheck.fix.run.FixResult`. The modules:

* :mod:`~shelfcheck.fix.plan` — which finding code is fixed how (data), the changes per row;
* :mod:`~shelfcheck.fix.text` — titles, origin markings, SKUs, ingredient names;
* :mod:`~shelfcheck.fix.images` — images scaled, padded, converted, recompressed;
* :mod:`~shelfcheck.fix.writers` — the fixed CSV, XLSX or JSON in the original's form;
* :mod:`~shelfcheck.fix.changes` — a change, ``changes.json``, ``sku-map.csv``, ``images.html``.

This package is callable: ``shelfcheck.fix(...)`` is :func:`shelfcheck.fix.run.fix`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["Change", "FixResult", "fix"]


def __getattr__(name: str) -> Any:
    if name in ("fix", "FixResult"):
        from shelfcheck.fix import run

        return getattr(run, name)
    if name == "Change":
        from shelfcheck.fix.changes import Change

        return Change
    raise AttributeError(f"module 'shelfcheck.fix' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """``shelfcheck.fix`` is both this package and the function: importing a submodule makes the
    package an attribute of ``shelfcheck``, so calling the package runs :func:`~shelfcheck.fix.run.fix`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from shelfcheck.fix.run import fix

        return fix(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
