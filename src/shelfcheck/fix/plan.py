"""The fix plan: which finding code is fixed how, as data, and the changes it yields.

:data:`FIXES` maps each fixable finding code to its fixer and the kind of change it makes
(``safe``: only the form changes, applied by default; ``suggested``: a judgement the seller
makes, written only with ``apply_suggested``). A code that is not in the table is not fixed;
:data:`UNFIXABLE` lists the codes ``fix`` names in the change log with a reason instead of a
value. ``category_alias`` is not a finding: a category written as an alias the tree knows is
rewritten as its canonical path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.findings import Finding
from shelfcheck.fix import text as tx
from shelfcheck.fix.changes import Change, Edit
from shelfcheck.fix.images import ImageFix, fix_image
from shelfcheck.model import Listing, split_list
from shelfcheck.policy import Policy

__all__ = ["CATEGORY_ALIAS", "FIXES", "UNFIXABLE", "FixContext", "plan_row"]

CATEGORY_ALIAS = "category_alias"


def _image_index(finding: Finding) -> int | None:
    """The position in ``main_images`` a finding points at (``main_images[2]`` → 2), else ``None``."""
    w = finding.where
    if w.field == "main_images" and w.index is not None and not w.key and not w.member:
        return w.index
    return None


@dataclass
class FixContext:
    """What the fixers share over one run: the pack, where outputs go, the SKUs taken and the
    images already fixed (a file used by several rows is fixed once)."""

    policy: Policy
    out_dir: Path
    base_dir: Path
    taken_skus: set[str]
    tree: Any
    inci: Any
    images: dict[str, tuple[ImageFix | None, Path | None]] = field(default_factory=dict)
    planned_names: set[str] = field(default_factory=set)
    fixed: dict[str, ImageFix | None] = field(default_factory=dict)  # computed ahead (:func:`fix_images`)


Fixer = Callable[[Listing, list[Finding], FixContext], list[Change]]


def _title(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    title = listing.title
    if not title:
        return []
    codes = {f.code for f in found}
    changes: list[Change] = []
    cleaned = tx.clean_title(title, ctx.policy.title.max_repeat)
    if cleaned != title:
        code = "title_format_invalid" if "title_format_invalid" in codes else "title_not_english"
        changes.append(Change(listing.row, "title", code, title, cleaned, "safe", edit=Edit("set", title, cleaned)))
    from shelfcheck.analysis import scripts

    if scripts.cjk_characters(cleaned):
        english = tx.drop_cjk(cleaned)
        if len(english) >= ctx.policy.title.min_length:
            changes.append(Change(listing.row, "title", "title_not_english", cleaned, english, "suggested",
                                  note="fix_note_title_cjk", edit=Edit("set", cleaned, english)))
        else:
            changes.append(Change(listing.row, "title", "title_not_english", cleaned, None, "suggested",
                                  note="fix_note_title_translate"))
    return changes


def _title_too_long(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    title = tx.clean_title(listing.title, ctx.policy.title.max_repeat)
    limit = ctx.policy.title.max_length
    if len(title) <= limit:
        return []
    head = title[: limit + 1]
    cut = head.rfind(" ")
    new = (head[:cut] if cut > limit // 2 else title[:limit]).rstrip(" ,;:-/|")
    return [Change(listing.row, "title", "title_too_long", listing.title, new, "suggested",
                   note="fix_note_title_cut", edit=Edit("set", listing.title, new))]


def _sku(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    sku = listing.seller_sku
    if not sku:
        return []
    code = next(f.code for f in found)
    ascii_sku = tx.transliterate_sku(sku, ctx.policy.sku.allowed)
    if not ascii_sku:
        return []
    new = tx.unique_sku(ascii_sku, ctx.taken_skus - {sku}, ctx.policy.sku.max_length)
    if new == sku:
        return []
    ctx.taken_skus.add(new)
    return [Change(listing.row, "seller_sku", code, sku, new, "suggested", note="fix_note_sku_map",
                   edit=Edit("set", sku, new))]


def _origin(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    from shelfcheck.analysis.origin import assess_origin_label

    rejected = ctx.policy.origin.rejected_names
    changes = []
    for f in found:
        value = listing.get("origin_label")
        expected = f.evidence.get("expected")
        country = listing.get("country_of_origin")
        if f.code == "origin_label_missing":
            if value or not expected or not country:
                continue
            changes.append(Change(listing.row, "origin_label", f.code, value, expected, "suggested",
                                  note="fix_note_origin_packaging", edit=Edit("set", value, expected)))
            continue
        if f.evidence.get("reason") == "origin_country_mismatch":
            continue  # which of the two is right is the seller's to say
        new = tx.fix_origin_label(value, list(f.evidence.get("found") or ()), expected, rejected)
        if new is None or new == value:
            continue
        if assess_origin_label(new, country, rejected or None).status != "ok":
            continue
        changes.append(Change(listing.row, "origin_label", f.code, value, new, "safe",
                              note="fix_note_origin_packaging", edit=Edit("set", value, new)))
    return changes


def _ingredients(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    from shelfcheck.analysis.inci import name_key

    changes = []
    synonyms = ctx.inci.synonyms.synonyms
    for f in found:
        ev = f.evidence
        if ev.get("source") != "ingredients" or not ev.get("name"):
            continue
        name, suggestions = str(ev["name"]), list(ev.get("suggestions") or ())
        if len(suggestions) > 1:
            changes.append(Change(listing.row, f.field, f.code, name, None, "suggested",
                                  note="fix_note_inci_pick_one"))
            continue
        if not suggestions:
            continue
        target = suggestions[0]
        if tuple(synonyms.get(name_key(name), ())) == (target,):
            kind = "safe"
            note = None
        elif tx.inci_similarity(name, target) >= ctx.policy.fix.inci_typo_min_score:
            kind, note = "suggested", "fix_note_inci_spelling"
        else:
            continue
        changes.append(Change(listing.row, f.field, f.code, name, target, kind,  # type: ignore[arg-type]
                              note=note, edit=Edit("replace", name, target)))
    return changes


def _category(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    changes = []
    for f in found:
        suggestion = f.evidence.get("suggestion")
        value = listing.get("category")
        if suggestion and ">" not in suggestion:
            continue  # a first-level category alone is never a leaf (category_not_leaf)
        if suggestion and suggestion != value:
            changes.append(Change(listing.row, "category", f.code, value, suggestion, "suggested",
                                  note="fix_note_category_leaf", edit=Edit("set", value, suggestion)))
    return changes


def category_alias(listing: Listing, ctx: FixContext) -> list[Change]:
    """A category written as an alias (or with other separators, spacing or case) rewritten as
    the tree's canonical path: the same category, so a safe change."""
    value = listing.get("category")
    if not value:
        return []
    match = ctx.tree.resolve(value)
    if match is None or match.path == value:
        return []
    return [Change(listing.row, "category", CATEGORY_ALIAS, value, match.path, "safe",
                   edit=Edit("set", value, match.path))]


def _factory_address(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    return [Change(listing.row, "manufacturer_address", found[0].code, listing.get("manufacturer_address"),
                   None, "suggested", note="fix_note_factory_address")]


def _inventory(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    ev = found[0].evidence
    platform = ev.get("platform")
    if platform is None:
        return []
    old = listing.get("quantity")
    return [Change(listing.row, "quantity", found[0].code, old, str(platform), "suggested",
                   note="fix_note_inventory", edit=Edit("set", old, str(platform)))]


def _local_image(listing: Listing, ref: str) -> Path | None:
    lowered = ref.lower()
    if lowered.startswith(("http://", "https://")) or "\x00" in ref:
        return None
    if lowered.startswith("file://"):
        ref = ref[7:]
    elif "://" in ref:
        return None
    path = Path(ref.replace("\\", "/")) if "\\" in ref and not Path(ref).exists() else Path(ref)
    return path if path.is_absolute() else listing.base_dir / path


def output_path(ref: str, source: Path, ctx: FixContext) -> Path:
    """Where an image goes in the output folder: the same relative path as the reference when
    it stays inside the catalogue's folder, else ``images/<name>``."""
    try:
        rel = source.resolve().relative_to(ctx.base_dir.resolve())
    except ValueError:
        rel = Path("images") / source.name
    return ctx.out_dir / rel


def _image(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    changes = []
    refs = listing.main_images
    for f in found:
        index = _image_index(f)
        if index is None:
            continue
        if index >= len(refs):
            continue
        ref = refs[index]
        source = _local_image(listing, ref)
        if source is None or not source.is_file():
            continue
        key = str(source.resolve())
        if key not in ctx.images:
            if key in ctx.fixed:
                fixed = ctx.fixed[key]
            else:
                lift = any(g.code == "image_background_not_white" and g.field == f.field for g in found)
                fixed = fix_file(key, ctx.policy.images, ctx.policy.fix, lift)
            dest = None
            if fixed is not None:
                dest = output_path(ref, source, ctx)
                if dest.suffix.lower() not in _SAME_SUFFIX.get(fixed.format, ()):
                    dest = dest.with_suffix(fixed.suffix)
                    n = 1
                    while str(dest) in ctx.planned_names or (dest.exists() and not _written_by_us(dest, ctx)):
                        dest = dest.with_name(f"{source.stem}-{n}{fixed.suffix}")
                        n += 1
                ctx.planned_names.add(str(dest))
            ctx.images[key] = (fixed, dest)
        fixed, dest = ctx.images[key]
        if fixed is None or dest is None:
            continue
        new_ref = dest.relative_to(ctx.out_dir).as_posix()
        if any(c.field == f.field for c in changes):
            continue
        changes.append(Change(listing.row, f.field, f.code, ref, new_ref, "safe", edit=Edit("ref", ref, new_ref),
                              files=(str(source), str(dest)), steps=tuple(fixed.steps)))
    return changes


def fix_file(path: str, images: Any, fix: Any, lift: bool) -> ImageFix | None:
    """:func:`~shelfcheck.fix.images.fix_image` of a file (``None`` when it cannot be read)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return fix_image(data, images, fix, lift=lift)


_IMAGE_CODES = ("image_wrong_size", "image_format_unsupported", "image_file_too_large", "image_background_not_white")


def fix_images(listings: Iterable[Listing], findings: dict[int, list[Finding]], ctx: FixContext,
               only: set[str] | None, jobs: int | None) -> None:
    """Fix every image a finding asks for, across processes, into ``ctx.fixed`` (each file once)."""
    wanted: dict[str, bool] = {}
    for listing in listings:
        refs = listing.main_images
        for f in findings.get(listing.row, ()):
            if f.code not in _IMAGE_CODES or (only is not None and f.code not in only):
                continue
            index = _image_index(f)
            if index is None or index >= len(refs):
                continue
            source = _local_image(listing, refs[index])
            if source is None or not source.is_file():
                continue
            key = str(source.resolve())
            wanted[key] = wanted.get(key, False) or f.code == "image_background_not_white"
    if not wanted:
        return
    import os

    workers = min(jobs or os.cpu_count() or 1, len(wanted))
    items = list(wanted.items())
    if workers <= 1 or len(items) < 4:
        for key, lift in items:
            ctx.fixed[key] = fix_file(key, ctx.policy.images, ctx.policy.fix, lift)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(fix_file, [k for k, _ in items], [ctx.policy.images] * len(items),
                           [ctx.policy.fix] * len(items), [lift for _, lift in items], chunksize=4)
        for (key, _), fixed in zip(items, results):
            ctx.fixed[key] = fixed


_SAME_SUFFIX = {"JPEG": (".jpg", ".jpeg", ".jpe"), "PNG": (".png",), "WEBP": (".webp",)}


def _written_by_us(dest: Path, ctx: FixContext) -> bool:
    return str(dest) in ctx.planned_names


def _duplicate(listing: Listing, found: list[Finding], ctx: FixContext) -> list[Change]:
    changes = []
    left = len(listing.main_images)
    for f in found:
        ref = f.evidence.get("ref")
        if not ref:
            continue
        if left - 1 < ctx.policy.images.min_count:  # removing it would leave too few: replace it instead
            changes.append(Change(listing.row, f.field, f.code, str(ref), None, "suggested",
                                  note="fix_note_image_duplicate_replace"))
            continue
        left -= 1
        changes.append(Change(listing.row, f.field, f.code, str(ref), "", "suggested",
                              note="fix_note_image_duplicate", edit=Edit("drop", str(ref))))
    return changes


# code -> (fixer, the fixer handles all the row's findings of these codes at once)
FIXES: dict[str, Fixer] = {
    "title_format_invalid": _title,
    "title_not_english": _title,
    "title_too_long": _title_too_long,
    "sku_not_english": _sku,
    "sku_too_long": _sku,
    "origin_label_invalid": _origin,
    "origin_label_missing": _origin,
    "ingredient_not_inci": _ingredients,
    "category_unknown": _category,
    "manufacturer_address_is_factory_name": _factory_address,
    "inventory_drift_exceeded": _inventory,
    "image_wrong_size": _image,
    "image_format_unsupported": _image,
    "image_file_too_large": _image,
    "image_background_not_white": _image,
    "image_duplicate": _duplicate,
}

UNFIXABLE = ("manufacturer_address_is_factory_name",)


def plan_row(listing: Listing, findings: Iterable[Finding], ctx: FixContext,
             only: set[str] | None = None) -> list[Change]:
    """Every change the plan makes or proposes for one row."""
    by_fixer: dict[Fixer, list[Finding]] = {}
    for f in findings:
        fixer = FIXES.get(f.code)
        if fixer is None or (only is not None and f.code not in only):
            continue
        by_fixer.setdefault(fixer, []).append(f)
    changes: list[Change] = []
    if only is None or CATEGORY_ALIAS in only:
        if not any(f.code.startswith("category_") for fs in by_fixer.values() for f in fs):
            changes.extend(category_alias(listing, ctx))
    for fixer, found in by_fixer.items():
        changes.extend(fixer(listing, found, ctx))
    return changes


def refs_of(listing: Listing) -> list[str]:
    """The row's image references (for copying the unchanged ones beside the fixed catalogue)."""
    return split_list(listing.get("main_images"))
