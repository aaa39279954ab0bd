"""Typed views of the Open API responses the client wraps (the ``data`` of the envelope).

Every model keeps unknown fields (``extra="allow"``): the platform adds fields often and a client
that refuses them breaks for no reason. Fields the publisher relies on are typed; ids are text
(the platform sends 19-digit ids as strings; a number is turned into text).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "Attribute",
    "AttributesData",
    "AuditInfo",
    "AuthorizedShop",
    "Brand",
    "BrandsData",
    "CategoriesData",
    "Category",
    "CategoryRulesData",
    "CreateProductData",
    "Envelope",
    "InventoryUpdateData",
    "ListingCheckData",
    "PrerequisitesData",
    "UploadedFile",
    "Warehouse",
    "WarehousesData",
    "ProductData",
    "SearchProductsData",
    "ShopsData",
    "TokenData",
    "UploadedImage",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Envelope(_Model):
    """``{code, message, request_id, data}`` — every V2 response."""

    code: int
    message: str = ""
    request_id: str = ""
    data: Any = None

    @property
    def ok(self) -> bool:
        return self.code == 0


class Category(_Model):
    id: str
    parent_id: str = ""
    local_name: str = ""
    is_leaf: bool = False
    permission_statuses: list[str] = []

    _ids = field_validator("id", "parent_id", mode="before")(_text)


class CategoriesData(_Model):
    categories: list[Category] = []


class _Condition(_Model):
    condition_type: str = ""
    attribute_id: str = ""
    attribute_value_id: str = ""


class Certification(_Model):
    id: str
    name: str = ""
    is_required: bool = False
    document_details: str = ""
    sample_image_url: str = ""
    requirement_conditions: list[_Condition] = []
    expiration_date: dict[str, Any] | None = None


class _Required(_Model):
    is_required: bool = False


class _Supported(_Model):
    is_supported: bool = False
    is_required: bool = False


class CategoryRulesData(_Model):
    product_certifications: list[Certification] = []
    size_chart: _Supported | None = None
    cod: _Supported | None = None
    package_dimension: _Required | None = None
    epr: _Required | None = None
    responsible_person: _Required | None = None
    manufacturer: _Required | None = None
    allowed_special_product_types: Any = None
    fees: list[dict[str, Any]] = []


class AttributeValue(_Model):
    id: str
    name: str = ""

    _ids = field_validator("id", mode="before")(_text)


class Attribute(_Model):
    id: str
    name: str = ""
    type: str = ""
    # The platform spells it "is_requried"; accept both.
    is_required: bool = Field(default=False, alias="is_requried")
    values: list[AttributeValue] = []
    value_data_format: str = ""
    is_customizable: bool = False
    is_multiple_selection: bool = False
    requirement_conditions: list[_Condition] = []

    _ids = field_validator("id", mode="before")(_text)


class AttributesData(_Model):
    attributes: list[Attribute] = []


class CheckResult(_Model):
    check_item: str
    is_failed: bool = False
    fail_reasons: list[str] = []


class PrerequisitesData(_Model):
    check_results: list[CheckResult] = []

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.check_results if c.is_failed]


class Brand(_Model):
    """One brand of Get Brands."""

    id: str
    name: str = ""
    authorized_status: str = ""
    brand_status: str = ""
    is_t1_brand: bool = False


class BrandsData(_Model):
    brands: list[Brand] = []
    total_count: int = 0
    next_page_token: str = ""


class Warehouse(_Model):
    """One warehouse of Get Warehouses (``address.region_code``: where it ships from)."""

    id: str
    name: str = ""
    effect_status: str = ""
    type: str = ""
    sub_type: str = ""
    is_default: bool = False
    address: dict[str, Any] = {}

    @property
    def region_code(self) -> str:
        return str((self.address or {}).get("region_code") or "")


class WarehousesData(_Model):
    warehouses: list[Warehouse] = []


class UploadedFile(_Model):
    """Upload Product File's answer: the file ``id`` a certification's ``files`` entry names."""

    id: str
    url: str = ""
    name: str = ""
    format: str = ""


class UploadedImage(_Model):
    uri: str
    url: str = ""
    width: int | None = None
    height: int | None = None
    use_case: str = ""


class FailReason(_Model):
    code: int | str
    message: str = ""


class ListingCheckData(_Model):
    request_id: str = ""  # the envelope's, set by the client
    check_result: str = ""
    fail_reasons: list[FailReason] = []
    warnings: Any = None
    listing_quality: dict[str, Any] | None = None
    diagnoses: list[dict[str, Any]] = []
    pre_check_results: list[dict[str, Any]] = []

    @property
    def passed(self) -> bool:
        # The docs say PASS, the SDK types PASSED; anything but FAILED with no reasons passes.
        return self.check_result.upper() in ("PASS", "PASSED") and not self.fail_reasons


class CreatedSku(_Model):
    id: str = ""
    seller_sku: str = ""
    sales_attributes: list[dict[str, Any]] = []
    external_sku_id: str = ""


class AuditInfo(_Model):
    status: str = ""
    pre_approved_reasons: list[str] = []
    not_submitted_reasons: list[str] = []


class CreateProductData(_Model):
    request_id: str = ""  # the envelope's, set by the client
    product_id: str
    skus: list[CreatedSku] = []
    warnings: list[dict[str, Any]] = []
    audit: AuditInfo | None = None

    _ids = field_validator("product_id", mode="before")(_text)


class AuditFailedReason(_Model):
    position: str = ""
    reasons: list[str] = []
    suggestions: list[str] = []
    listing_platform: str = ""


class ProductSku(_Model):
    id: str = ""
    seller_sku: str = ""
    price: dict[str, Any] | None = None
    inventory: list[dict[str, Any]] = []

    _ids = field_validator("id", mode="before")(_text)


class ProductData(_Model):
    request_id: str = ""  # the envelope's, set by the client
    id: str
    status: str = ""
    title: str = ""
    category_chains: list[Category] = []
    main_images: list[dict[str, Any]] = []
    skus: list[ProductSku] = []
    audit: AuditInfo | None = None
    audit_failed_reasons: list[AuditFailedReason] = []
    create_time: int | None = None
    update_time: int | None = None

    _ids = field_validator("id", mode="before")(_text)

    @property
    def seller_skus(self) -> list[str]:
        return [s.seller_sku for s in self.skus if s.seller_sku]


class SearchedProduct(_Model):
    id: str
    title: str = ""
    status: str = ""
    skus: list[ProductSku] = []
    audit: AuditInfo | None = None
    create_time: int | None = None

    _ids = field_validator("id", mode="before")(_text)


class SearchProductsData(_Model):
    total_count: int = 0
    products: list[SearchedProduct] = []
    next_page_token: str = ""


class InventoryError(_Model):
    code: int
    message: str = ""
    detail: dict[str, Any] | None = None


class InventoryUpdateData(_Model):
    errors: list[InventoryError] = []


class AuthorizedShop(_Model):
    id: str
    name: str = ""
    region: str = ""
    seller_type: str = ""
    cipher: str = ""
    code: str = ""

    _ids = field_validator("id", mode="before")(_text)

    def __repr__(self) -> str:  # the cipher identifies the shop; keep it out of logs
        return f"AuthorizedShop(id={self.id!r}, name={self.name!r}, region={self.region!r})"


class ShopsData(_Model):
    shops: list[AuthorizedShop] = []


class TokenData(_Model):
    """The ``data`` of ``/api/v2/token/get`` and ``/refresh``. ``*_expire_in`` are epoch seconds."""

    access_token: str
    access_token_expire_in: int
    refresh_token: str
    refresh_token_expire_in: int
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    user_type: int | None = None
    granted_scopes: list[str] = []

    def __repr__(self) -> str:
        return (f"TokenData(seller_name={self.seller_name!r}, access_token_expire_in="
                f"{self.access_token_expire_in}, refresh_token_expire_in={self.refresh_token_expire_in})")

    __str__ = __repr__
