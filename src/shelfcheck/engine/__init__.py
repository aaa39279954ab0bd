"""The engine: runs every enabled rule over the shop and each listing and collects findings.

Its stages, one module each:

* :mod:`~shelfcheck.engine.plan` — the plan, built once per run: the active rules, their
  effective severity, each family's shortcuts (``SHELFCHECK_SHORTCUTS=off`` turns them off);
* :mod:`~shelfcheck.engine.images` — image preparation: resolve, cache, fetch, decode (pooled);
* :mod:`~shelfcheck.engine.checker` — ``Checker.check(listing, images)``, the one per-listing call;
* :mod:`~shelfcheck.engine.skus` — the first row of each seller SKU (duplicate SKUs), in compact memory;
* :mod:`~shelfcheck.engine.scheduler` — the worker processes of large catalogues;
* :mod:`~shelfcheck.engine.runner` — the streaming run over a catalogue (:class:`Engine`).
"""

from shelfcheck.analysis.refs import resolve_image_ref
from shelfcheck.engine.checker import Checker
from shelfcheck.engine.images import ImagePrep
from shelfcheck.engine.plan import SHORTCUTS_ENV, ActiveRule, FamilyPlan, Plan, shortcuts_enabled
from shelfcheck.engine.runner import Engine
from shelfcheck.engine.skus import FirstRows

__all__ = ["SHORTCUTS_ENV", "ActiveRule", "Checker", "Engine", "FamilyPlan", "FirstRows", "ImagePrep", "Plan",
           "resolve_image_ref", "shortcuts_enabled"]
