"""A minimal XLSX writer that puts exactly the XML asked for into the package.

openpyxl writes only well-formed workbooks; hostile ones (a shared-string index out of range, a
missing worksheet part, an entity bomb, a sheet cut off mid-row) need the parts written by hand.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

__all__ = ["cell_ref", "sheet_xml", "workbook"]

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def cell_ref(row: int, col: int) -> str:
    """``A1``-style reference of a 1-based row and column."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def sheet_xml(rows: Sequence[Sequence[object]], strings: list[str]) -> str:
    """Worksheet XML for ``rows``: ``str`` cells become shared strings (appended to ``strings``),
    ``int``/``float`` numbers, and ``("raw", xml)`` is written verbatim."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>']
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, value in enumerate(row, start=1):
            ref = cell_ref(r, c)
            if isinstance(value, tuple) and value[0] == "raw":
                out.append(str(value[1]))
            elif isinstance(value, (int, float)):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value is None or value == "":
                continue
            else:
                strings.append(str(value))
                out.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def _sst(strings: list[str]) -> str:
    items = "".join(f"<si><t xml:space=\"preserve\">{escape(s)}</t></si>" for s in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}" count="{len(strings)}">{items}</sst>'


def workbook(sheet: str | None, strings: list[str], *, sst: str | None = None,
             extra: dict[str, bytes] | None = None) -> bytes:
    """The bytes of an XLSX package; ``sheet=None`` leaves the worksheet part out."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            f'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.'
            f'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.'
            f'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.'
            'sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship '
            f'Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship '
            f'Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship '
            f'Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/sharedStrings.xml": sst if sst is not None else _sst(strings),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        if sheet is not None:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()
