"""``fix``: check a catalogue, fix what can be fixed into a new folder, check the result.

The originals are only read. The output folder receives the fixed catalogue under the same
file name (same format, encoding and layout), the fixed images (and copies of the unchanged
local images, so the fixed catalogue is complete), ``changes.json``, ``sku-map.csv`` when a SKU
change is proposed, and ``images.html`` (before/after) when an image changed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError, Msg
from shelfcheck.findings import Finding, Report
from shelfcheck.fix.changes import Change, changes_json, images_html, sku_map_csv
from shelfcheck.fix.plan import FixContext, _local_image, fix_images, output_path, plan_row
from shelfcheck.fix.writers import write_catalog
from shelfcheck.policy import Policy, load_policy

__all__ = ["FixResult", "fix"]

_FIELD_BASE = __import__("re").compile(r"\[\d+\]$")


@dataclass
class FixResult:
    """What a fix run did: the changes (applied or listed), the counts per finding code before
    and after, and any finding the fixed catalogue has that the original had not (never
    expected: a fix that would introduce one is a bug)."""

    catalog: Path
    output: Path | None
    changes: list[Change]
    before: dict[str, int]
    after: dict[str, int] | None
    introduced: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    files: list[Path] = field(default_factory=list)
    errors_before: int = 0  # error-level findings of the original
    errors_after: int | None = None  # error-level findings left in the fixed catalogue

    @property
    def applied(self) -> list[Change]:
        return [c for c in self.changes if c.applied]

    def counts(self) -> list[tuple[str, int, int | None]]:
        """``(code, before, after)`` for every code seen in either run, in code order."""
        codes = sorted(set(self.before) | set(self.after or {}))
        return [(c, self.before.get(c, 0), None if self.after is None else self.after.get(c, 0)) for c in codes]

    def to_json(self) -> dict[str, Any]:
        return {
            "catalog": str(self.catalog),
            "output": str(self.output) if self.output else None,
            "dry_run": self.dry_run,
            "changes": [c.to_json() for c in self.changes],
            "summary": {
                "safe": sum(c.kind == "safe" for c in self.changes),
                "suggested": sum(c.kind == "suggested" for c in self.changes),
                "applied": len(self.applied),
            },
            "counts": [{"code": c, "before": b, "after": a} for c, b, a in self.counts()],
            "introduced": self.introduced,
            "errors_before": self.errors_before,
            "errors_after": self.errors_after,
            "files": [str(p) for p in self.files],
        }


def _copies_cache(copies: dict[str, str]) -> Any:
    """The image cache of the check after fixing: a copied image is known by its original's entry
    (same bytes), so the check of the copy does not decode it again."""
    import dataclasses

    from shelfcheck.analysis.cache import ImageCache

    class CopiesCache(ImageCache):
        def lookup_many(self, paths: list[str], params: str) -> dict[str, Any]:
            asked = {path: copies.get(path) or path for path in paths}
            hits = super().lookup_many(list(dict.fromkeys(asked.values())), params)
            return {path: hits[source] if source == path else dataclasses.replace(hits[source], path=path)
                    for path, source in asked.items() if source in hits}

    return CopiesCache()


def _row_codes(report: Report) -> Counter[tuple[int, str]]:
    found: Counter[tuple[int, str]] = Counter()
    for listing in report.listings:
        for f in listing.findings:
            found[(listing.row, f.code)] += 1
    for f in report.shop_findings:
        found[(0, f.code)] += 1
    return found


def _apply(changes: list[Change], listing: Any, columns: dict[str, list[int]],
           edits: dict[tuple[int, int], str], apply_suggested: bool) -> None:
    """Work out the new cells of one row (into ``edits``) and mark each change applied or not."""
    cells = listing.cells
    damaged = {column for column, _, _ in listing.damaged}
    for c in changes:
        c.applied = False
        if c.edit is None or c.new is None or (c.kind == "suggested" and not apply_suggested):
            continue
        cols = columns.get(_FIELD_BASE.sub("", c.field), [])
        if damaged:  # a cell read escaped or cut is never written back from what was read
            cols = [i for i in cols if i >= len(listing.header) or listing.header[i] not in damaged]
        if not cols:
            continue
        op = c.edit.op
        if op in ("set", "replace"):
            col = cols[0]
            current = edits.get((listing.row, col), cells[col] if col < len(cells) else "")
            if op == "set":
                if current.strip() != c.edit.old.strip():
                    continue
                new_text = c.edit.new
            else:
                from shelfcheck.fix.text import replace_entry

                replaced = replace_entry(current, c.edit.old, c.edit.new)
                if replaced is None:
                    continue
                new_text = replaced
            edits[(listing.row, col)] = new_text
            c.column, c.applied = col, True
            continue
        for col in cols:  # image references: the column that holds this one
            current = edits.get((listing.row, col), cells[col] if col < len(cells) else "")
            parts = current.split("|")
            at = next((i for i, p in enumerate(parts) if p.strip() == c.edit.old), None)
            if at is None:
                continue
            if op == "ref":
                lead = parts[at][: len(parts[at]) - len(parts[at].lstrip())]
                trail = parts[at][len(parts[at].rstrip()):]
                parts[at] = lead + c.edit.new + trail
            else:
                del parts[at]
            edits[(listing.row, col)] = "|".join(parts).strip() if op == "drop" else "|".join(parts)
            c.column, c.applied = col, True
            break


def _check(catalog: Path, options: dict[str, Any]) -> Report:
    from shelfcheck.api import check

    return check(catalog, **options)


def fix(
    catalog: str | Path,
    out: str | Path,
    *,
    documents: str | Path | None = None,
    shop: str | Path | None = None,
    inventory: str | Path | None = None,
    policy: str | Path | Policy | None = None,
    as_of: dt.date | None = None,
    sheet: str | None = None,
    columns: str | Path | None = None,
    only: set[str] | list[str] | tuple[str, ...] | None = None,
    dry_run: bool = False,
    apply_suggested: bool = False,
    jobs: int | None = None,
    cache: Any = True,
    datasets: Any = None,
    allow_private_urls: bool = False,
    lang: str = "en",
) -> FixResult:
    """Fix a catalogue into ``out`` and return what was done (see :mod:`shelfcheck.fix`).

    Takes the inputs of :func:`shelfcheck.check` (``documents``, ``shop``, ``inventory``,
    ``policy``, ``as_of``, ``sheet``, ``columns``, ``jobs``, ``cache``, ``datasets``,
    ``allow_private_urls``). ``only``: the finding codes to fix (default: every fixable one);
    ``dry_run``: write nothing, only say what would change (``applied`` then means "would be
    applied"); ``apply_suggested``: write the suggested changes too; ``lang``: the language of
    the comments and the image page.

    Raises:
        InputError: an input cannot be read, or ``out`` is the catalogue's own folder (the
            originals are never overwritten).
    """
    from shelfcheck.api import CHECK_REQUIRES
    from shelfcheck.datasets import load_datasets
    from shelfcheck.i18n import catalogue as messages
    from shelfcheck.ingest import open_catalog

    catalog, out = Path(catalog), Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(out, Msg("fix_out_not_folder"))
    if out.resolve() == catalog.resolve().parent:
        raise InputError(out, Msg("fix_out_is_source"))
    pack = policy if isinstance(policy, Policy) else load_policy(policy)
    data = datasets if datasets is not None else load_datasets()
    options: dict[str, Any] = {"documents": documents, "shop": shop, "inventory": inventory, "policy": pack,
                               "as_of": as_of, "sheet": sheet, "jobs": jobs, "cache": cache, "datasets": data,
                               "allow_private_urls": allow_private_urls, "columns": columns}
    before = _check(catalog, options)
    wanted = set(only) if only is not None else None
    source = open_catalog(catalog, sheet=sheet, columns=columns, required=CHECK_REQUIRES)
    try:
        listings = list(source.listings())
    finally:
        source.table.close()
    fields = {f: list(idx) for f, idx in (source.plan.fields.items() if source.plan else
                                          ((k, [v]) for k, v in source.index.items()))}
    from shelfcheck.policy.categories import CategoryTree

    ctx = FixContext(pack, out, source.base_dir, {x.seller_sku for x in listings if x.seller_sku},
                     CategoryTree(pack.categories), data.inci_dictionary)
    findings: dict[int, list[Finding]] = {r.row: r.findings for r in before.listings}
    changes: list[Change] = []
    edits: dict[tuple[int, int], str] = {}
    fix_images(listings, findings, ctx, wanted, jobs)
    for listing in listings:
        row_changes = plan_row(listing, findings.get(listing.row, []), ctx, wanted)
        _apply(row_changes, listing, fields, edits, apply_suggested)
        changes.extend(row_changes)
    result = FixResult(catalog, None if dry_run else out, changes, dict(before.summary.by_code), None,
                       dry_run=dry_run, errors_before=before.summary.errors)
    if dry_run:
        return result
    cat = messages(lang)
    out.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    for c in changes:  # fixed images first: the catalogue points at them
        if c.applied and c.files is not None:
            src, dest = c.files
            if dest in written:
                continue
            fixed, _ = ctx.images[str(Path(src).resolve())]
            Path(dest).parent.mkdir(parents=True, exist_ok=True)
            Path(dest).write_bytes(fixed.data)  # type: ignore[union-attr]
            written.add(dest)
            result.files.append(Path(dest))
    copies = _copy_unchanged_images(listings, fields, edits, ctx, written)
    dest = out / catalog.name
    comments = {(c.row, c.column): cat.ui("fix_comment", code=c.code, old=c.old, new=c.new)
                for c in changes if c.applied and c.column is not None}
    write_catalog(source, dest, edits, comments)
    result.files.insert(0, dest)
    counts = {"before": dict(before.summary.by_code)}
    log = out / "changes.json"
    if any(c.field == "seller_sku" and c.new for c in changes):
        (out / "sku-map.csv").write_text(sku_map_csv(changes), encoding="utf-8")
        result.files.append(out / "sku-map.csv")
    if any(c.files for c in changes):
        labels = {k: cat.ui("fix_col_" + k) for k in ("row", "field", "code", "before", "after", "kind", "none")}
        labels.update({"safe": cat.ui("fix_kind_safe"), "suggested": cat.ui("fix_kind_suggested")})
        (out / "images.html").write_text(images_html(changes, out, cat.ui("fix_images_title"), labels),
                                         encoding="utf-8")
        result.files.append(out / "images.html")
    after = _check(dest, {**options, "cache": _copies_cache(copies)} if cache is True else options)
    result.after = dict(after.summary.by_code)
    result.errors_after = after.summary.errors
    was, now = _row_codes(before), _row_codes(after)
    result.introduced = [{"row": row, "code": code, "before": was.get((row, code), 0), "after": n}
                         for (row, code), n in sorted(now.items()) if n > was.get((row, code), 0)]
    counts["after"] = result.after
    log.write_text(changes_json(changes, {"counts": counts, "introduced": result.introduced}), encoding="utf-8")
    result.files.append(log)
    return result


def _copy_unchanged_images(listings: list[Any], fields: dict[str, list[int]], edits: dict[tuple[int, int], str],
                           ctx: FixContext, written: set[str]) -> dict[str, str]:
    """Copy each local image the fixed catalogue still points at by a relative path into the
    output folder, so the fixed catalogue is complete there (the originals stay where they are).
    Returns copy → original, as the check of the copy resolves them."""
    from shelfcheck.model import split_list

    copies: dict[str, str] = {}
    base = ctx.out_dir.resolve()

    for listing in listings:
        for col in fields.get("main_images", []):
            text = edits.get((listing.row, col), listing.cells[col] if col < len(listing.cells) else "")
            for ref in split_list(text):
                if Path(ref).is_absolute() or "://" in ref:
                    continue
                target = (ctx.out_dir / ref)
                if str(target) in written:
                    continue
                source = _local_image(listing, ref)
                if source is None or not source.is_file():
                    continue
                try:
                    if output_path(ref, source, ctx).resolve() != target.resolve():
                        continue  # a reference leaving the catalogue's folder: used as it is
                except OSError:
                    continue
                written.add(str(target))
                copies[str(base / ref)] = str(source)
                if target.exists() and target.stat().st_size == source.stat().st_size and \
                        target.stat().st_mtime_ns == source.stat().st_mtime_ns:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    return copies
