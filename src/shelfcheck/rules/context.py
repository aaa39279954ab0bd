"""What a rule sees: the listing (or shop) under check and everything the run knows around it.

Derived values that several rules need (the resolved category, the documents that apply, the
parsed ingredient list, the analysed images) are computed once per listing and cached here, so
each rule stays a few lines long: a module declares a typed :class:`Slot` and asks
``c.once(SLOT, make)`` (per listing) or ``c.run.once(SLOT, make)`` (per run and process).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from shelfcheck.ingest.values import Typed, typed
from shelfcheck.model import Document, Listing, PlatformStock, ShopProfile
from shelfcheck.policy import CategoryMatch, CategoryTree, Policy

if TYPE_CHECKING:
    from shelfcheck.analysis.images import ImageInfo
    from shelfcheck.datasets import Datasets
    from shelfcheck.datasets.platform import PlatformCategories

__all__ = ["Images", "ListingContext", "RunContext", "ShopContext", "Slot"]

T = TypeVar("T")


class Slot(Generic[T]):
    """One typed entry of a context's cache, declared once by the module that fills it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class _Cache:
    """A cache of :class:`Slot` values (one per listing, or one per run)."""

    _cache: dict[Slot[Any], Any]

    def once(self, slot: Slot[T], make: Callable[[], T]) -> T:
        """The value of ``slot``, made by ``make()`` the first time it is asked for."""
        cache = self._cache
        if slot in cache:
            return cache[slot]  # type: ignore[no-any-return]
        value = cache[slot] = make()
        return value

    def put(self, slot: Slot[T], value: T) -> None:
        """Set ``slot`` (a probe context that looks at one image only, say)."""
        self._cache[slot] = value


_KEYS = itertools.count(1)


class Images(dict[str, "ImageInfo"]):
    """Image references mapped to their analyses, each analysis with a key handed out when it
    was made: the same key for the same analysis all run, so memos keyed by it need no ``id()``.

    The engine builds these; a plain mapping given to :meth:`shelfcheck.engine.Checker.check` is
    wrapped with fresh keys (:meth:`of`).
    """

    def __init__(self, infos: Iterable[tuple[str, ImageInfo]] | Mapping[str, ImageInfo] = (),
                 tokens: dict[str, int] | None = None) -> None:
        super().__init__(infos)
        self.tokens: dict[str, int] = tokens if tokens is not None else {}

    @classmethod
    def of(cls, images: Mapping[str, ImageInfo]) -> Images:
        """``images`` as given when it is an :class:`Images`, else wrapped with fresh keys."""
        if isinstance(images, Images):
            return images
        out = cls(images)
        out.tokens = {ref: next(_KEYS) for ref in out}
        return out

    def add(self, ref: str, info: ImageInfo) -> None:
        """Add (or replace) the analysis of ``ref`` under a fresh key."""
        self[ref] = info
        self.tokens[ref] = next(_KEYS)

    def adopt(self, other: Images) -> None:
        """Take ``other``'s analyses with the keys they were given (a worker receiving them)."""
        self.update(other)
        self.tokens.update(other.tokens)

    def key_of(self, ref: str) -> int | None:
        """The key of the analysis of ``ref`` (``None`` when it was not analysed)."""
        return self.tokens.get(ref)


@dataclass
class RunContext(_Cache):
    """Everything shared by all listings of one run."""

    policy: Policy
    as_of: dt.date
    datasets: Datasets
    documents: list[Document] | None = None
    shop: ShopProfile | None = None
    stock: Mapping[str, PlatformStock] | None = None
    ledger: Any = None
    as_of_time: dt.datetime | None = None
    tree: CategoryTree = field(init=False)

    def __post_init__(self) -> None:
        self._cache: dict[Slot[Any], Any] = {}
        if self.as_of_time is None:
            # A bare as-of day means the start of that day, UTC (contract §7).
            self.as_of_time = dt.datetime.combine(self.as_of, dt.time(0), tzinfo=dt.timezone.utc)
        self.tree = CategoryTree(self.policy.categories)
        self._categories: dict[str, tuple[CategoryMatch | None, frozenset[str]]] = {}
        self._group_of_top: dict[str, list[str]] = {}
        for name, group in self.policy.category_groups.items():
            for top in group.categories:
                resolved = self.tree.resolve(top)
                key = resolved.top if resolved else top
                self._group_of_top.setdefault(key, []).append(name)

    def category_of(self, text: str) -> tuple[CategoryMatch | None, frozenset[str]]:
        """A category cell resolved, and what the policy requires for it (``fcc_id``, ``cpi`` …);
        worked out once per distinct text in a run."""
        known = self._categories.get(text)
        if known is None:
            match = self.tree.resolve(text) if text else None
            platform = self.platform
            if match is None and platform is not None and text.strip() in platform.nodes:
                # a leaf id of the shop's tree stands for its path
                match = self.tree.resolve(platform.path_text(text.strip()))
            if match is not None and match.permission != "PROHIBITED":
                match = self._platform_permission(match)
            needs: set[str] = set()
            for group in self.groups_of(match):
                needs.update(self.policy.category_groups[group].requires)
            known = (match, frozenset(needs))
            if len(self._categories) >= 10_000:
                self._categories.clear()
            self._categories[text] = known
        return known

    @property
    def platform(self) -> PlatformCategories | None:
        """The shop's category data from the platform, when pulled or imported."""
        return getattr(self.datasets, "platform", None)

    def _platform_permission(self, match: CategoryMatch) -> CategoryMatch:
        # The tree's permission statuses override the pack's, except the pack's US prohibited
        # list (the API does not flag US prohibitions), which the caller keeps.
        platform = self.platform
        if platform is None:
            return match
        permission = platform.permission_of(match.segments)
        if permission is None or permission == match.permission:
            return match
        return dataclasses.replace(match, permission=permission)

    def groups_of(self, match: CategoryMatch | None) -> list[str]:
        """The category groups (``electronics``, ``beauty`` …) a resolved category belongs to."""
        if match is None:
            return []
        return self._group_of_top.get(match.top, [])


class _RunShortcuts:
    run: RunContext

    @property
    def policy(self) -> Policy:
        return self.run.policy

    @property
    def as_of(self) -> dt.date:
        return self.run.as_of


@dataclass
class ShopContext(_RunShortcuts):
    """What a shop-scope rule sees."""

    run: RunContext
    shop: ShopProfile


class ListingContext(_RunShortcuts, _Cache):
    """What a listing-scope rule sees.

    ``images`` maps image references to their analyses; it holds at least the listing's own
    ``main_images`` (often more: the run's memo), so rules look references up, never iterate it.
    """

    def __init__(
        self,
        run: RunContext,
        listing: Listing,
        images: Mapping[str, ImageInfo],
        first_row_of_sku: int | None = None,
    ) -> None:
        self.run = run
        self.listing = listing
        self.images = images
        self.first_row_of_sku = first_row_of_sku
        self._category: tuple[CategoryMatch | None, frozenset[str]] | None = None
        self._cache: dict[Slot[Any], Any] = {}

    # Shortcuts -----------------------------------------------------------------------------
    def get(self, name: str) -> str:
        """The trimmed text of a catalogue field (``""`` when absent)."""
        return self.listing.get(name)

    def typed(self, name: str) -> Typed:
        """The typed value of ``quantity``, ``price`` or a date field, parsed once per listing
        (``value`` is ``None`` when the cell is empty or unreadable; ``error`` says why)."""
        return typed(self.listing, name)

    # Category ------------------------------------------------------------------------------
    def _category_entry(self) -> tuple[CategoryMatch | None, frozenset[str]]:
        entry = self._category
        if entry is None:
            entry = self._category = self.run.category_of(self.listing.values.get("category", ""))
        return entry

    @property
    def category(self) -> CategoryMatch | None:
        """The resolved category, or ``None`` when empty or unknown."""
        return self._category_entry()[0]

    @property
    def requirements(self) -> frozenset[str]:
        """What the policy requires for this listing's category (``fcc_id``, ``cpi`` …)."""
        return self._category_entry()[1]

    def requires(self, requirement: str) -> bool:
        """True when the category requires ``requirement``."""
        return requirement in self.requirements

    # Documents -----------------------------------------------------------------------------
    def documents_of(self, doc_type: str) -> list[Document]:
        """Documents of one type that apply to this listing (by SKU, model number or ``*``)."""
        docs = self.run.documents or []
        sku, model = self.get("seller_sku"), self.get("model_number")
        return [d for d in docs if d.type == doc_type and d.applies(sku, model)]

    # Images --------------------------------------------------------------------------------
    def image(self, ref: str) -> ImageInfo | None:
        """The analysis of one image reference, when it was analysed."""
        return self.images.get(ref)
