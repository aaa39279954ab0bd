"""The shape of a policy pack. Every key is declared; an unknown key is an error.

A pack is data: thresholds (each block carrying its ``source``), the category tree, which
documents each category group requires, the repeat-failure lock, and per-code severities.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "CategoryEntry",
    "CategoryGroup",
    "ChannelPolicy",
    "DocumentPolicy",
    "ImagePolicy",
    "IngredientPolicy",
    "InventoryPolicy",
    "LockPolicy",
    "OriginPolicy",
    "Policy",
    "RuleSetting",
    "SkuPolicy",
    "TitlePolicy",
    "WhiteBackground",
]

Permission = Literal["AVAILABLE", "INVITE_ONLY", "PROHIBITED"]
Requirement = Literal["fcc_id", "fcc_test_report", "fda_registration", "cpi", "ingredients", "cpc"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SkuPolicy(_Strict):
    max_length: int = Field(50, ge=1)
    allowed: str = Field("A-Za-z0-9._-", description="characters allowed, as a regex class body")
    source: str = ""


class TitlePolicy(_Strict):
    min_length: int = Field(10, ge=0)
    max_length: int = Field(255, ge=1)
    max_repeat: int = Field(9, ge=1, description="longest allowed run of one character")
    source: str = ""


class WhiteBackground(_Strict):
    band: float = Field(0.02, gt=0, le=0.5, description="band width as a fraction of the shorter side")
    min_channel: int = Field(245, ge=0, le=255, description="min(R,G,B) a white pixel reaches")
    max_chroma: int = Field(10, ge=0, le=255, description="max(R,G,B) - min(R,G,B) allowed")
    min_ratio: float = Field(0.97, ge=0, le=1, description="share of white pixels each band needs")
    source: str = ""


class ImagePolicy(_Strict):
    min_count: int = Field(3, ge=0)
    max_count: int = Field(9, ge=1)
    formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
    max_bytes: int = Field(5 * 1024 * 1024, ge=1)
    square: bool = True
    min_side: int = Field(1080, ge=1)
    max_side: int = Field(4000, ge=1)
    white_background: WhiteBackground = WhiteBackground()
    source: str = ""


class InventoryPolicy(_Strict):
    tolerance: int = Field(5, ge=0, description="largest |ERP - platform| the platform accepts")
    source: str = ""


class LockPolicy(_Strict):
    max_failures: int = Field(3, ge=1, description="failures allowed in the window; one more locks")
    window_hours: int = Field(24, ge=1)
    lock_hours: int = Field(72, ge=1)
    source: str = ""


class DocumentPolicy(_Strict):
    expiring_soon_days: int = Field(30, ge=0)
    accepted_status: tuple[str, ...] = ("Verified",)
    source: str = ""


class ChannelPolicy(_Strict):
    min_api_version: str = "4.1"
    legacy_cutoff: dt.date = dt.date(2024, 7, 1)
    active_status: str = "Active"
    required_permissions: tuple[str, ...] = ("product_write",)
    seller_id_prefix: str = "US"
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
    sku: SkuPolicy = SkuPolicy()
    title: TitlePolicy = TitlePolicy()
    images: ImagePolicy = ImagePolicy()
    inventory: InventoryPolicy = InventoryPolicy()
    lock: LockPolicy = LockPolicy()
    documents: DocumentPolicy = DocumentPolicy()
    channel: ChannelPolicy = ChannelPolicy()
    origin: OriginPolicy = OriginPolicy()
    ingredients: IngredientPolicy = IngredientPolicy()
    category_groups: dict[str, CategoryGroup] = {}
    categories: tuple[CategoryEntry, ...] = ()
    rules: dict[str, RuleSetting] = {}

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) else value
