"""One change ``fix`` makes or proposes, and the change log it writes beside the fixed catalogue.

A change names the row and field, the finding code it answers, the value before and after, and
its kind: ``safe`` (applied by default: the meaning is unchanged, only the form) or ``suggested``
(a judgement the seller makes: written only with ``apply_suggested``, otherwise listed for
review). ``new`` is ``None`` when nothing can be written in the seller's place (a factory name
given as an address); ``note`` then says why, as a reason key of the message catalogue.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Change", "Edit", "changes_json", "images_html", "sku_map_csv"]

Kind = Literal["safe", "suggested"]


@dataclass(frozen=True, slots=True)
class Edit:
    """How a change rewrites one cell: ``set`` the whole text, ``replace`` one entry of a list
    (ingredients), ``ref`` one ``|``-separated image reference, or ``drop`` one reference."""

    op: Literal["set", "replace", "ref", "drop"]
    old: str
    new: str = ""


@dataclass(slots=True)
class Change:
    """A fix of one finding (see the module docstring)."""

    row: int
    field: str
    code: str
    old: str | None
    new: str | None
    kind: Kind
    applied: bool = False
    note: str | None = None
    edit: Edit | None = field(default=None, repr=False)
    column: int | None = field(default=None, repr=False)
    # image changes: the files before and after, for the review page
    files: tuple[str, str] | None = field(default=None, repr=False)
    steps: tuple[str, ...] = ()  # image changes: what was done (reason keys)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "field": self.field, "code": self.code, "old": self.old,
                                "new": self.new, "kind": self.kind, "applied": self.applied}
        if self.note:
            data["note"] = self.note
        if self.steps:
            data["steps"] = list(self.steps)
        return data


def changes_json(changes: Iterable[Change], extra: dict[str, Any] | None = None) -> str:
    """``changes.json``: ``{"changes": [...]}`` (and the run's counts, when given)."""
    data: dict[str, Any] = {"changes": [c.to_json() for c in changes]}
    if extra:
        data.update(extra)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def sku_map_csv(changes: Iterable[Change]) -> str:
    """``sku-map.csv``: each SKU change, old → new, for the ERP (``applied`` says if the fixed
    catalogue already carries the new one)."""
    from shelfcheck.reporters.inert import neutralise

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["row", "old_sku", "new_sku", "applied"])
    for c in changes:
        if c.field == "seller_sku" and c.new is not None:
            writer.writerow([c.row, neutralise(c.old or ""), neutralise(c.new), "true" if c.applied else "false"])
    return buf.getvalue()


def images_html(changes: Iterable[Change], out: Path, title: str, labels: dict[str, str]) -> str:
    """A review page of the image changes: before and after side by side (the files themselves,
    linked relative to the output folder; the originals by absolute path)."""
    rows = []
    for c in changes:
        if c.files is None:
            continue
        before, after = c.files
        after_link = Path(after).resolve().relative_to(out.resolve()).as_posix() if after else ""
        before_uri = Path(before).resolve().as_uri()
        cells = [html.escape(str(c.row)), html.escape(c.field), html.escape(c.code),
                 f'<a href="{html.escape(before_uri)}"><img src="{html.escape(before_uri)}" alt=""></a>',
                 f'<a href="{html.escape(after_link)}"><img src="{html.escape(after_link)}" alt=""></a>'
                 if after_link else html.escape(labels["none"]),
                 html.escape(labels[c.kind]) + (" ✓" if c.applied else "")]
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(labels[k])}</th>" for k in ("row", "field", "code", "before", "after", "kind"))
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<style>body{font-family:sans-serif}td{vertical-align:top;padding:4px;border-bottom:1px solid #ddd}'
            'img{max-width:240px;max-height:240px;border:1px solid #ccc}</style></head>'
            f"<body><h1>{html.escape(title)}</h1><table><tr>{head}</tr>{''.join(rows)}</table></body></html>\n")
