"""One listing checked: ``Checker.check(listing, images)`` runs the plan's rules over it.

Every way shelfcheck checks a listing comes here — the streaming run in this process and in
the worker processes, publish, ``diagnose``, ``triage``, the sandbox — so a listing gets the
same findings whichever way it was checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shelfcheck.analysis.images import ImageInfo
from shelfcheck.findings import Finding, ListingResult, share_key
from shelfcheck.model import Listing
from shelfcheck.rules.context import Images, ListingContext, RunContext, ShopContext
from shelfcheck.engine.plan import ActiveRule, Plan

__all__ = ["Checker"]

# Findings of memoised families remembered by their input values (per process).
MEMO_FAMILIES = 20_000


class Checker:
    """Runs the rules of one :class:`Plan` over listings and over the shop.

    Findings of a memoised family are reused for a later listing with the same values of the
    family's fields (and the same image analyses, by the keys :class:`Images` carries).
    """

    def __init__(self, run: RunContext, plan: Plan | None = None) -> None:
        self.run = run
        self.plan = plan if plan is not None else Plan.build(run)
        self._memo: dict[tuple[Any, ...], list[Finding]] = {}

    def check(self, listing: Listing, images: Mapping[str, ImageInfo],
              first_row_of_sku: int | None = None) -> ListingResult:
        """The findings of one listing whose images are analysed (``images`` maps references
        to analyses; it may hold more than the listing's own). ``first_row_of_sku`` is the row
        of an earlier listing with the same seller SKU, when there is one."""
        images = Images.of(images)
        ctx = ListingContext(self.run, listing, images, first_row_of_sku)
        findings: list[Finding] = []
        values = listing.values
        memo = self._memo
        for family in self.plan.families:
            gate = family.gate
            fields = family.memo
            if fields is None:
                if gate is None or gate(ctx):
                    findings.extend(_findings(ctx, family.rules))
                continue
            key: tuple[Any, ...] = (family.slot, *map(values.get, fields))
            if family.images:  # the engine's keys of the analyses (of the files the refs resolve
                # to, wherever the catalogue is)
                key += tuple(map(images.tokens.get, listing.main_images))
            hits = memo.get(key)
            if hits is None:
                if len(memo) >= MEMO_FAMILIES:
                    memo.clear()
                hits = memo[key] = _findings(ctx, family.rules, shared=True) if gate is None or gate(ctx) else []
            if hits:
                findings.extend(hits)  # the same (frozen) findings for the same values
        match = ctx.category
        category = match.path if match else listing.get("category")
        return ListingResult(listing.row, listing.seller_sku, findings, category)

    def check_shop(self) -> list[Finding]:
        """Findings about the shop and its channel (empty when no shop profile was given)."""
        if self.run.shop is None:
            return []
        return _findings(ShopContext(self.run, self.run.shop), self.plan.shop)

    def after_fork(self) -> None:
        """Called in a forked worker before its first listing (the ledger reconnects)."""
        hook = getattr(self.run.ledger, "after_fork", None)
        if callable(hook):
            hook()


def _findings(ctx: ListingContext | ShopContext, actives: Iterable[ActiveRule],
              shared: bool = False) -> list[Finding]:
    """Each rule's hits as findings; ``shared``: the findings of a memo entry, handed to every
    listing with the same values, each with the key reporters remember its rendering by."""
    return [Finding(active.rule.code, active.severity, hit.field, dict(hit.evidence), dict(hit.ctx),
                    share_key() if shared else None)
            for active in actives for hit in active.rule.check(ctx)]
