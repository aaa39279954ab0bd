"""The inputs as the engine sees them: listings, compliance documents, the shop profile.

Every value keeps where it came from: a :class:`Listing` knows its source file, its row (the
physical line where the record starts, the header being row 1) and, for each field, the header
text it was read from — so a finding can point at the exact cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AppProfile",
    "Document",
    "Integration",
    "Listing",
    "PlatformStock",
    "ShopProfile",
    "split_list",
]


def split_list(text: str, sep: str = "|") -> list[str]:
    """Split a ``|``-separated cell into trimmed, non-empty entries."""
    return [part.strip() for part in text.split(sep) if part.strip()]


@dataclass(slots=True)
class Listing:
    """One catalogue row.

    Attributes:
        row: physical line (or spreadsheet row) where the record starts; the header is row 1.
        values: canonical field name → trimmed cell text (absent fields are not present).
        columns: canonical field name → the header text as written in the file.
        cells: the row's cells as read, in the order of ``header``.
        header: the file's header (shared by every listing of the file).
        base_dir: directory relative image and label paths are resolved against.
        damaged: ``(column, problem, detail)`` of each cell that could not be read as it was
            written (an undecodable byte, a NUL, a cell beyond the input limits; see
            :class:`shelfcheck.ingest.table.Cells`) — its text is escaped or cut.
    """

    row: int
    values: dict[str, str]
    columns: dict[str, str]
    cells: list[str]
    header: list[str]
    base_dir: Path
    _images: list[str] | None = field(default=None, repr=False, compare=False)
    damaged: tuple[tuple[str, str, dict[str, Any]], ...] = ()
    # Typed values parsed so far (``shelfcheck.ingest.values.typed``): field → (value, error).
    _typed: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> tuple[object, ...]:
        # Sent to worker processes without its raw cells: rules read ``values`` only.
        return (self.row, self.values, self.columns, self.base_dir, self.damaged)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        self.row, self.values, self.columns, self.base_dir, self.damaged = state  # type: ignore[assignment]
        self.cells, self.header, self._images, self._typed = [], [], None, None

    @property
    def raw(self) -> dict[str, str]:
        """Every original header → the cell text as read, unknown columns included."""
        return dict(zip(self.header, self.cells))

    def get(self, name: str) -> str:
        """The trimmed text of a canonical field, ``""`` when absent or empty."""
        return self.values.get(name, "")

    @property
    def seller_sku(self) -> str:
        return self.get("seller_sku")

    @property
    def title(self) -> str:
        return self.get("title")

    @property
    def main_images(self) -> list[str]:
        """Image references in order; a repeated entry appears twice."""
        if self._images is None:
            self._images = split_list(self.get("main_images"))
        return self._images

    @property
    def description(self) -> str:
        return self.get("description")

    def has_column(self, name: str) -> bool:
        """True when the catalogue has a column for the canonical field ``name`` (filled or not)."""
        return name in self.columns

    def column_of(self, name: str) -> str:
        """The header text a canonical field was read from (the canonical name when absent)."""
        return self.columns.get(name, name)


class Document(BaseModel):
    """A compliance document row of ``documents.csv`` (contract §2.2).

    Values that cannot be parsed (an unknown type, a bad date) are kept in ``problems`` so the
    rules can report them on the listings the document should have covered.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)  # validators built on first use

    doc_id: str
    type: str
    number: str = ""
    status: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    file: Path | None = None
    applies_to: tuple[str, ...] = ()
    row: int = 0
    problems: tuple[str, ...] = ()

    @cached_property
    def targets(self) -> frozenset[str]:
        """``applies_to`` as a set: a document naming 50,000 SKUs is looked up in constant time."""
        return frozenset(self.applies_to)

    def applies(self, seller_sku: str, model_number: str) -> bool:
        """True when ``applies_to`` names the SKU, the model number, or ``*``."""
        targets = self.targets
        return "*" in targets or (bool(seller_sku) and seller_sku in targets) or (
            bool(model_number) and model_number in targets
        )


class Integration(BaseModel):
    """A connected system (ERP, channel) with the day it was connected."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    name: str = ""
    connected_at: dt.date | dt.datetime | None = None


class AppProfile(BaseModel):
    """The app (ERP) that publishes for the shop, as shown in the Developer Portal."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    name: str = ""
    status: str | None = None
    permissions: list[str] = []
    api_version: str | None = None
    authorized_at: dt.date | dt.datetime | None = None

    @field_validator("api_version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        # YAML reads 4.1 as a float; keep the text the seller meant.
        return str(value) if isinstance(value, (int, float)) else value


class ShopProfile(BaseModel):
    """The shop profile, ``shop.yaml`` (contract §2.3). Unknown keys are kept and ignored."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    seller_id: str | None = None
    kyc_complete: bool | None = None
    store_compliant: bool | None = None
    app: AppProfile | None = None
    integrations: list[Integration] = []
    category_access: list[str] = []
    # shop probation: the tier names the daily upload limit in the pack (``upload_quota.tiers``);
    # ``daily_upload_limit`` states it outright and wins over the tier (None: not known)
    upload_tier: Literal["beginner", "standard", "premium", "pro"] | None = None
    daily_upload_limit: int | None = Field(default=None, ge=0)
    # Where the shop ships from: a country code (``CN``, ``US`` …). A US shop shipping from a
    # China warehouse must give every SKU a sale price (contract §2.3).
    warehouse: str | None = None

    @field_validator("warehouse", mode="before")
    @classmethod
    def _warehouse_country(cls, value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return None
        code = _WAREHOUSE_NAMES.get(text.casefold())
        if code is None and len(text) == 2 and text.isascii() and text.isalpha():
            code = text.upper()
        if code is None:
            raise ValueError("a country code such as CN or US (or China, United States, 中国, 美国)")
        return code

    @field_validator("seller_id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


# Names a shop profile may give its warehouse country by, besides the two-letter code.
_WAREHOUSE_NAMES = {
    "china": "CN", "mainland china": "CN", "prc": "CN", "chn": "CN", "中国": "CN", "中国大陆": "CN", "国内": "CN",
    "united states": "US", "usa": "US", "u.s.": "US", "us local": "US", "美国": "US", "海外仓美国": "US",
}


@dataclass(slots=True)
class PlatformStock:
    """One row of the platform inventory snapshot (contract §2.4)."""

    seller_sku: str
    quantity: int | None
    synced_at: str
    row: int
    problems: list[str] = field(default_factory=list)
