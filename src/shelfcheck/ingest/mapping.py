"""``--columns MAP.yaml``: the seller's own word on which column feeds which field.

The map is a YAML mapping, optionally under a top-level ``columns:`` key. A key that is a field
name maps that field to a header (or, for images, a list of headers joined in that order); any
other key is a header mapped to a field, or to ``null`` / ``ignore`` to leave that column unread.
A header may be written as its text or as ``column C`` / ``column 3`` (needed when two columns
have the same text). ``header_row: N`` says which sheet row is the header.

```yaml
seller_sku: Item Code            # field: header
main_images: [Photo 1, Photo 2]  # several columns, joined in this order
"Artikel-Nr.": seller_sku        # header: field
Remarks: ignore                  # leave this column unread
header_row: 3
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError, Msg
from shelfcheck.ingest.columns import catalog_fields

__all__ = ["ColumnMap", "load_column_map"]

_IGNORE = {"ignore", "ignored", "none", "skip", "-"}


@dataclass
class ColumnMap:
    """A parsed ``--columns`` file."""

    path: str | None = None
    field_to_headers: dict[str, list[str]] = field(default_factory=dict)
    header_to_field: dict[str, str | None] = field(default_factory=dict)
    header_row: int | None = None


def _text(value: Any) -> str:
    return str(value).strip()


def parse_column_map(data: Any, *, path: str | Path | None = None) -> ColumnMap:
    """Read a map from parsed YAML (see the module docstring).

    Raises:
        InputError: not a mapping, an unknown field, a list for a single-column field.
    """
    where = str(path) if path is not None else "--columns"
    if isinstance(data, dict) and set(data) <= {"columns", "header_row"} and isinstance(data.get("columns"), dict):
        inner = dict(data["columns"])
        if "header_row" in data:
            inner["header_row"] = data["header_row"]
        data = inner
    if not isinstance(data, dict) or not data:
        raise InputError(where, Msg("columns_not_mapping"))
    specs = catalog_fields()
    out = ColumnMap(path=str(path) if path is not None else None)
    for key, value in data.items():
        name = _text(key)
        if name == "header_row":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(where, Msg("columns_bad_header_row", value=value), column="header_row")
            out.header_row = value
            continue
        if name in specs:
            values = value if isinstance(value, list) else [value]
            headers = [_text(v) for v in values if v is not None and _text(v)]
            if not headers:
                raise InputError(where, Msg("columns_no_header", field=name), column=name)
            if len(headers) > 1 and not specs[name].multiple:
                raise InputError(where, Msg("columns_one_column", field=name, count=len(headers)), column=name)
            out.field_to_headers[name] = headers
            continue
        if value is None or (isinstance(value, str) and value.strip().casefold() in _IGNORE):
            out.header_to_field[name] = None
            continue
        target = _text(value)
        if target not in specs:
            known = ", ".join(specs)
            raise InputError(where, Msg("columns_not_a_field", header=name, target=target, fields=known),
                             column=name)
        out.header_to_field[name] = target
    return out


def load_column_map(path: str | Path) -> ColumnMap:
    """Read a ``--columns`` file.

    Raises:
        InputError: missing, not YAML, or not a valid map.
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, Msg("columns_not_found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, Msg("columns_unreadable", error=exc.__class__.__name__)) from None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, Msg("columns_not_yaml"), row=mark.line + 1 if mark is not None else None) from None
    return parse_column_map(data, path=path)
