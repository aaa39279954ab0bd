"""Column names and their aliases (contract §2): English names plus the Chinese headers ERPs use.

Headers match case-insensitively after trimming; spaces, hyphens and underscores are treated as
the same, so ``Seller SKU``, ``seller-sku`` and ``SELLER_SKU`` all mean ``seller_sku``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "CATALOG_COLUMNS",
    "DOCUMENT_COLUMNS",
    "INVENTORY_COLUMNS",
    "match_columns",
    "normalise_header",
]

CATALOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "seller_sku": ("SKU", "卖家SKU", "商品SKU"),
    "title": ("标题", "商品标题", "英文标题"),
    "category": ("类目", "商品类目"),
    "brand": ("品牌",),
    "description": ("描述", "商品描述"),
    "price": ("价格",),
    "quantity": ("库存", "ERP库存"),
    "main_images": ("主图",),
    "country_of_origin": ("原产国",),
    "origin_label": ("产地标识",),
    "label_image": ("包装标签图",),
    "manufacturer_name": ("制造商", "制造商名称"),
    "manufacturer_address": ("制造商地址",),
    "model_number": ("型号",),
    "fcc_id": ("FCC ID",),
    "model_first_filing_date": ("型号首次备案日期",),
    "fda_registration_number": ("FDA注册号",),
    "ingredients": ("成分", "成分表"),
    "product_id": ("商品ID",),
}

DOCUMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "doc_id": ("文件ID", "文件编号"),
    "type": ("文件类型", "类型"),
    "number": ("证书编号", "编号"),
    "status": ("状态",),
    "issued_on": ("签发日期",),
    "expires_on": ("到期日期", "有效期至"),
    "file": ("文件",),
    "applies_to": ("适用", "适用SKU"),
}

INVENTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "seller_sku": ("SKU", "卖家SKU", "商品SKU"),
    "platform_quantity": ("平台库存", "quantity"),
    "synced_at": ("同步时间",),
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_header(text: str) -> str:
    """The comparison key of a header: NFKC, case-folded, separators unified."""
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    return _SEPARATORS.sub("_", text)


def match_columns(header: Sequence[str], spec: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map each canonical field to the index of the header column that holds it.

    When several columns could mean the same field, the canonical English name wins over an
    alias, then the alias listed first, then the leftmost column; the others stay as unknown
    columns (kept in the row, ignored by the rules).
    """
    keys = [normalise_header(h) for h in header]
    found: dict[str, int] = {}
    for field, aliases in spec.items():
        candidates = [field, *aliases]
        best: tuple[int, int] | None = None
        for rank, name in enumerate(candidates):
            key = normalise_header(name)
            for index, header_key in enumerate(keys):
                if header_key == key and (best is None or (rank, index) < best):
                    best = (rank, index)
        if best is not None and best[1] not in found.values():
            found[field] = best[1]
    return found
