"""The shape of a policy pack. Every key is declared; an unknown key is an error.

A pack is data: thresholds (each block carrying its ``source``), the category tree, which
documents each category group requires, the repeat-failure lock, and per-code severities.

The numbers live in the packs only: a threshold has no default here. A pack that does not
``extends:`` another takes the threshold blocks it leaves out from the built-in default pack
(:func:`shelfcheck.policy.load_policy` does that), so every number has one home.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "THRESHOLD_BLOCKS",
    "CategoryEntry",
    "CategoryGroup",
    "ChannelPolicy",
    "CreateProductPolicy",
    "DescriptionPolicy",
    "SalesAttributePolicy",
    "DocumentPolicy",
    "ImageUploadLimits",
    "FixPolicy",
    "ImagePolicy",
    "IngredientPolicy",
    "InventoryPolicy",
    "IdentifierPolicy",
    "LockPolicy",
    "OriginPolicy",
    "PackagePolicy",
    "Policy",
    "PricePolicy",
    "QuantityPolicy",
    "RuleSetting",
    "UploadQuotaPolicy",
    "SkuPolicy",
    "TitlePolicy",
    "VariantPolicy",
    "VariantLimits",
    "WeightUnitPolicy",
    "WhiteBackground",
]

# The blocks of numbers a pack that extends nothing takes from the built-in default pack.
THRESHOLD_BLOCKS = ("sku", "title", "images", "inventory", "lock", "documents", "channel", "variants",
                    "create_product", "upload_quota", "package", "price", "quantity", "identifier",
                    "fix", "description_html", "sales_attributes")

Permission = Literal["AVAILABLE", "INVITE_ONLY", "PROHIBITED"]
Requirement = Literal["fcc_id", "fcc_test_report", "fda_registration", "cpi", "ingredients", "cpc"]


class _Strict(BaseModel):
    # Validators are built on the first validation: a pack read back from its checked copy
    # (:mod:`shelfcheck.policy.loader`) is constructed without one, and a command skips the cost.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SkuPolicy(_Strict):
    max_length: int = Field(ge=1)
    allowed: str = Field(description="characters allowed, as a regex class body")
    source: str = ""


class TitlePolicy(_Strict):
    min_length: int = Field(ge=0)
    max_length: int = Field(ge=1)
    max_repeat: int = Field(ge=1, description="longest allowed run of one character")
    source: str = ""


class WhiteBackground(_Strict):
    band: float = Field(gt=0, le=0.5, description="band width as a fraction of the shorter side")
    min_channel: int = Field(ge=0, le=255, description="min(R,G,B) a white pixel reaches")
    max_chroma: int = Field(ge=0, le=255, description="max(R,G,B) - min(R,G,B) allowed")
    min_ratio: float = Field(ge=0, le=1, description="share of the backdrop's pixels each band needs white")
    zone: float = Field(gt=0, le=0.5, description="depth of the strip where product crossings are told "
                        "from backdrop, as a fraction of the shorter side (deeper than band)")
    edge_width: float = Field(gt=0, le=0.1, description="a sharp edge: a distinct pixel within this "
                              "fraction of the shorter side of the outline")
    edge_contrast: int = Field(ge=0, le=255, description="a distinct (product) pixel has min(R,G,B) "
                               "below min_channel minus this")
    max_edge_share: float = Field(gt=0, le=1, description="a region covering more of a side's length "
                                  "is backdrop (frame, sweep), never product")
    min_sharp_share: float = Field(ge=0, le=1, description="share of a product region's outline "
                                   "against white that is a sharp edge")
    source: str = ""

    @model_validator(mode="after")
    def _zone_deeper_than_band(self) -> WhiteBackground:
        if self.zone <= self.band:
            raise ValueError("zone must be deeper than band")
        return self

    @property
    def zone_percent(self) -> str:
        """``zone`` as a percentage for people (``6``)."""
        return f"{self.zone * 100:g}"

    @property
    def edge_percent(self) -> str:
        """``edge_width`` as a percentage for people (``0.4``)."""
        return f"{self.edge_width * 100:g}"

    @property
    def distinct_below(self) -> int:
        """min(R,G,B) under which a pixel is distinct from white (``205``)."""
        return max(0, self.min_channel - self.edge_contrast)

    @property
    def max_edge_percent(self) -> str:
        """``max_edge_share`` as a percentage for people (``90``)."""
        return f"{round(self.max_edge_share * 100, 1):g}"

    @property
    def sharp_percent(self) -> str:
        """``min_sharp_share`` as a percentage for people (``60``)."""
        return f"{round(self.min_sharp_share * 100, 1):g}"

    @property
    def band_percent(self) -> str:
        """``band`` as a percentage for people (``2``)."""
        return f"{self.band * 100:g}"

    @property
    def min_percent(self) -> str:
        """``min_ratio`` as a percentage for people (``97``)."""
        return f"{round(self.min_ratio * 100, 1):g}"


class ImageUploadLimits(_Strict):
    """What Upload Product Image takes, kept beside the pack's main-image numbers with their
    source: any image ``min_side``–``max_side`` pixels per side; a size chart
    (``SIZE_CHART_IMAGE``) at least ``size_chart_min_side`` on its short side."""

    min_side: int = Field(ge=1)
    max_side: int = Field(ge=1)
    size_chart_min_side: int = Field(ge=1)
    source: str = ""


class ImagePolicy(_Strict):
    min_count: int = Field(ge=0)
    max_count: int = Field(ge=1)
    formats: tuple[str, ...]
    max_bytes: int = Field(ge=1)
    square: bool
    min_side: int = Field(ge=1)
    max_side: int = Field(ge=1)
    white_background: WhiteBackground
    official: ImageUploadLimits
    source: str = ""

    @property
    def max_megabytes(self) -> str:
        """``max_bytes`` in MB (MiB, as the platform counts them) for people: ``5``."""
        return f"{self.max_bytes / 1048576:g}"


class VariantLimits(_Strict):
    """Official limits that differ from the pack's own, kept beside them with their source."""

    max_skus: int = Field(ge=1)
    source: str = ""


class VariantPolicy(_Strict):
    """Products with variants: how many SKUs one product may have.

    ``max_skus`` is the pack's limit; ``official`` holds the platform's documented one where it
    differs, and ``use`` says which the checks apply (``pack`` or ``official``).
    """

    max_skus: int = Field(ge=1)
    official: VariantLimits | None = None
    use: Literal["pack", "official"] = "pack"
    source: str = ""

    @property
    def sku_limit(self) -> int:
        """The SKU limit the checks apply."""
        return self.official.max_skus if self.use == "official" and self.official else self.max_skus

    @property
    def platform_max_skus(self) -> int:
        """The platform's documented SKU limit (``official.max_skus``, else ``max_skus``): what the
        sandbox and ``publish --dry-run`` enforce, whichever the preflight applies."""
        return self.official.max_skus if self.official else self.max_skus

    @property
    def sku_limit_source(self) -> str:
        """Where the applied SKU limit comes from."""
        return self.official.source if self.use == "official" and self.official else self.source


class InventoryPolicy(_Strict):
    tolerance: int = Field(ge=0, description="largest |ERP - platform| the platform accepts")
    source: str = ""


class LockPolicy(_Strict):
    max_failures: int = Field(ge=1, description="failures allowed in the window; one more locks")
    window_hours: int = Field(ge=1)
    lock_hours: int = Field(ge=1)
    source: str = ""


class DescriptionPolicy(_Strict):
    """The description Create Product takes: its HTML, its images and its text.

    ``children`` maps a parent (``""``: the top level) to the tags allowed directly inside it; a
    tag elsewhere is nested where the platform refuses it. ``tags`` are the tags the platform
    keeps (others are filtered or converted), ``attributes`` the attributes each tag may carry and
    ``required_attributes`` those it must carry.
    """

    tags: tuple[str, ...]
    children: dict[str, tuple[str, ...]]
    max_depth: int = Field(ge=1)
    attributes: dict[str, tuple[str, ...]] = {}
    required_attributes: dict[str, tuple[str, ...]] = {}
    max_images: int = Field(ge=0)
    image_formats: tuple[str, ...]
    max_repeat: int = Field(ge=1)
    source: str = ""


class SalesAttributePolicy(_Strict):
    """Sales attributes (variations) and SKU images, as Create Product takes them."""

    max_names: int = Field(ge=1, description="sales attributes (variation dimensions) per product")
    name_max_length: int = Field(ge=1)
    value_max_length: int = Field(ge=1)
    max_supplementary_images: int = Field(ge=0, description="supplementary_sku_images per SKU")
    image_formats: tuple[str, ...]
    max_repeat: int = Field(ge=1)
    source: str = ""


class CreateProductPolicy(_Strict):
    """The Create Product / Check Product Listing limits no other block holds (the sandbox enforces
    them; ``publish --dry-run`` checks bodies against them offline). Package, price and quantity
    come from ``package``, ``price`` and ``quantity`` — the same numbers the preflight rules use —
    and the SKU count from ``variants.official`` (:attr:`VariantPolicy.platform_max_skus`)."""

    description_max_length: int = Field(ge=1)
    seller_sku_max_length: int = Field(ge=1)
    idempotency_key_max_length: int = Field(ge=1)
    max_certifications: int = Field(ge=0)
    attribute_value_max_length: int = Field(ge=1, description="custom product attribute value (value_name)")
    file_max_bytes: int = Field(ge=1, description="certificate PDF upload limit")
    source: str = ""

    @property
    def file_max_megabytes(self) -> str:
        return f"{self.file_max_bytes / 1048576:g}"


class UploadQuotaPolicy(_Strict):
    """Daily product uploads per shop probation tier (``None``: no limit)."""

    tiers: dict[str, int | None]
    source: str = ""


class DocumentPolicy(_Strict):
    expiring_soon_days: int = Field(ge=0)
    accepted_status: tuple[str, ...]
    source: str = ""


class ChannelPolicy(_Strict):
    min_api_version: str
    legacy_cutoff: dt.date
    active_status: str
    required_permissions: tuple[str, ...]
    seller_id_prefix: str
    source: str = ""


DimensionUnit = Literal["CENTIMETER", "INCH"]


class WeightUnitPolicy(_Strict):
    """One weight unit the platform takes: how many decimals, and the dimension unit it pairs with."""

    decimals: int = Field(ge=0)
    pairs_with: DimensionUnit


class PackagePolicy(_Strict):
    """Package weight and dimensions as Create Product takes them (US)."""

    kilogram: WeightUnitPolicy
    pound: WeightUnitPolicy
    dimension_units: tuple[DimensionUnit, ...]
    dimension_decimals: int = Field(ge=0, description="0: whole numbers only")
    source: str = ""

    def weight_unit(self, unit: str) -> WeightUnitPolicy | None:
        """The rules of a platform weight unit (``KILOGRAM``, ``POUND``), ``None`` for others."""
        return {"KILOGRAM": self.kilogram, "POUND": self.pound}.get(unit)


class PricePolicy(_Strict):
    """The range of a SKU price (and list price, sale price) in the shop's currency."""

    min: Decimal = Field(gt=0)
    max: Decimal = Field(gt=0)
    decimals: int = Field(ge=0, description="decimals an amount may have")
    currency: str
    sale_price_warehouses: tuple[str, ...] = Field(
        description="warehouse countries (shop.yaml warehouse) whose SKUs need a sale_price")
    source: str = ""


class QuantityPolicy(_Strict):
    """The stock quantity a SKU may be created with."""

    min: int = Field(ge=0)
    max: int = Field(ge=1)
    source: str = ""


class IdentifierPolicy(_Strict):
    """Product identifier codes: the digit counts each type takes (GTIN, EAN, UPC, ISBN)."""

    lengths: dict[str, tuple[int, ...]]
    source: str = ""

    @property
    def types(self) -> tuple[str, ...]:
        """The identifier types, in pack order."""
        return tuple(self.lengths)


class FixPolicy(_Strict):
    """How ``shelfcheck fix`` rewrites what it can (the sizes and byte limit come from ``images``,
    the SKU length from ``sku``)."""

    image_margin: float = Field(ge=0, lt=0.5, description="white margin around a padded product, "
                                                           "as a fraction of the side")
    jpeg_quality: int = Field(ge=1, le=100, description="JPEG quality of a fixed image")
    jpeg_min_quality: int = Field(ge=1, le=100, description="lowest quality tried to fit the byte limit")
    inci_typo_min_score: float = Field(ge=0, le=100, description="similarity (0-100) from which a "
                                                                 "spelling correction is suggested")
    backdrop_min_channel: int = Field(ge=0, le=255, description="a backdrop is lifted to white only "
                                                                "when its colour has min(R,G,B) at least this")
    backdrop_tolerance: int = Field(ge=0, le=255, description="a uniform backdrop: its pixels within this of "
                                                              "its colour, per channel")
    backdrop_min_share: float = Field(ge=0, le=1, description="a uniform backdrop: the share of the border "
                                                              "bands within the tolerance of its colour")
    source: str = ""


class OriginPolicy(_Strict):
    """Country-of-origin marking: names that may not stand for a country, and what to write."""

    rejected_names: dict[str, str] = {}
    source: str = ""


class IngredientPolicy(_Strict):
    """How ingredient names are judged.

    ``parenthetical_remark``: a bracketed remark after an INCI name that is not itself INCI
    (``Tocopheryl Acetate (Vitamin E)``, ``Riboflavin (Vitamin B2)``): ``accept`` — the name
    before it decides and the remark passes silently; ``reject`` — reported as
    ``ingredient_not_inci`` (reason ``inci_parenthetical_remark``), the name without the remark
    suggested. Remarks that are INCI names themselves (``Water (Aqua)``, ``(CI 77891)``) and
    ``(nano)`` always pass.
    """

    parenthetical_remark: Literal["accept", "reject"] = "accept"
    source: str = ""


class CategoryEntry(_Strict):
    path: str
    id: str | None = None
    permission: Permission = "AVAILABLE"
    aliases: tuple[str, ...] = ()
    source: str = ""

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class CategoryGroup(_Strict):
    categories: tuple[str, ...]
    requires: tuple[Requirement, ...] = ()
    source: str = ""


class RuleSetting(_Strict):
    severity: Literal["error", "warning", "info"] | None = None
    enabled: bool = True


class Policy(_Strict):
    """A whole policy pack, after ``extends:`` has been resolved."""

    name: str
    description: str = ""
    version: str
    effective_from: dt.date
    source: str = ""
    sku: SkuPolicy
    title: TitlePolicy
    images: ImagePolicy
    inventory: InventoryPolicy
    lock: LockPolicy
    documents: DocumentPolicy
    channel: ChannelPolicy
    variants: VariantPolicy
    create_product: CreateProductPolicy
    upload_quota: UploadQuotaPolicy
    description_html: DescriptionPolicy
    sales_attributes: SalesAttributePolicy
    package: PackagePolicy
    price: PricePolicy
    quantity: QuantityPolicy
    identifier: IdentifierPolicy
    fix: FixPolicy
    origin: OriginPolicy = Field(default_factory=OriginPolicy)
    ingredients: IngredientPolicy = Field(default_factory=IngredientPolicy)
    category_groups: dict[str, CategoryGroup] = {}
    categories: tuple[CategoryEntry, ...] = ()
    rules: dict[str, RuleSetting] = {}

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) else value
