"""The HTML report: one self-contained file a person opens in any browser, online or not.

The page has the run's summary (counts by severity and by code), filters that work in plain
JavaScript (errors only, by code, by product category, by SKU), a card per listing with every
finding's message, fix and evidence, and a thumbnail of each image that has a finding, with the
non-white border bands, the box of the off-white backdrop, the product's own crossings of the
frame (not counted as backdrop) or the wrong dimensions drawn over it.

It is written while the results stream: each card is rendered as its listing arrives and spooled
to a temporary file, and each thumbnail is made once per image file (only for images that have a
finding) and spooled as one CSS rule, so memory stays flat for any catalogue. The summary, known
only at the end, is written first; the thumbnails are embedded once each as ``data:`` URIs in a
style sheet after the cards, so a picture shared by many listings is stored once.

Nothing in the page runs but the page's own code. Every value from the seller's files is escaped
(Jinja autoescape), and a Content-Security-Policy ``<meta>`` tag forbids every network request
(``default-src 'none'``; images only as ``data:`` URIs) and allows exactly the page's own style
sheets and script, by their SHA-256 hashes (``'unsafe-inline'`` nowhere): an injected
``<script>``, event handler or style would not run even if escaping failed. So the templates hold
no ``style=`` or ``on…=`` attributes: the drawing's geometry (picture position, band widths) is
written as CSS classes in the style sheet after the cards, and the filters are wired up by the
script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import stat
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from PIL import Image, UnidentifiedImageError

from shelfcheck.analysis.images import PIXEL_CAP, READ_CAP
from shelfcheck.analysis.refs import resolve_image_ref
from shelfcheck.findings import Finding, ListingResult, Severity, Summary, Where
from shelfcheck.i18n import Catalogue
from shelfcheck.reporters.columns import footer_lines
from shelfcheck.reporters.inert import REPLACE_ERRORS
from shelfcheck.reporters.deferred import ProductStatus
from shelfcheck.reporters.products import attributes_text, product_results, rows_text, worth_showing
from shelfcheck.rules import RULES
from shelfcheck.rules.docs import rule_text

__all__ = ["THUMB_PX", "content_security_policy", "make_thumbnail", "report", "write_html"]

THUMB_PX = 240          # longest side of an embedded thumbnail, in pixels
THUMB_QUALITY = 80      # JPEG quality of thumbnails
DISPLAY_PX = 168        # size of the square frame a thumbnail is shown in (CSS pixels)
_CARDS = "<!--@@shelfcheck-cards@@-->"
_THUMBS = "<!--@@shelfcheck-thumbs@@-->"
_SHOP = "<!--@@shelfcheck-shop@@-->"
_CSP = "@@shelfcheck-csp@@"
_INLINE = re.compile(r"<(style|script)(?:\s[^>]*)?>(.*?)</\1>", re.DOTALL)
_REMOTE = ("http://", "https://")
_SEV_ORDER = {"error": 0, "warning": 1, "info": 2}


class NoPreview(Exception):
    """A thumbnail cannot be made; ``args[0]`` is the ``ui`` key of the placeholder label."""


def make_thumbnail(path: str | Path, max_px: int = THUMB_PX) -> tuple[bytes, int, int]:
    """A small JPEG of the image at ``path`` and the image's own width and height.

    JPEGs are decoded at reduced scale (Pillow's draft mode), so a large original is never
    decoded in full; transparent pixels are shown on white, as the platform shows them.

    Raises:
        NoPreview: missing, not a regular file, too large to read, or not a decodable image.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        raise NoPreview("rpt_image_missing") from None
    if not stat.S_ISREG(st.st_mode):
        raise NoPreview("rpt_image_missing")
    if st.st_size > READ_CAP:
        raise NoPreview("rpt_image_no_preview")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(path) as img:
                width, height = img.size
                if width * height > PIXEL_CAP:
                    raise NoPreview("rpt_image_no_preview")
                img.thumbnail((max_px, max_px))  # uses draft mode for JPEG
                has_alpha = img.mode in ("RGBA", "LA", "PA") or (
                    img.mode == "P" and "transparency" in img.info)
                if has_alpha:
                    rgba = img.convert("RGBA")
                    small = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                    small.alpha_composite(rgba)
                    small = small.convert("RGB")
                else:
                    small = img.convert("RGB")
        except NoPreview:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
                Image.DecompressionBombError):
            raise NoPreview("rpt_image_unreadable") from None
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=THUMB_QUALITY, optimize=True)
    return buf.getvalue(), width, height


@dataclass(slots=True)
class Thumb:
    """One image file's preview: a CSS class holding its data URI, or why there is none."""

    css: str | None
    width: int | None = None
    height: int | None = None
    problem: str | None = None
    size_bytes: int = 0


class Thumbnails:
    """Thumbnails made once per file; each is spooled to ``spool`` as one CSS rule.

    The drawing's geometry goes to the same style sheet (:meth:`style_class`), one rule per
    distinct set of declarations.
    """

    def __init__(self, base_dir: Path, spool: IO[str], max_px: int = THUMB_PX) -> None:
        self.base_dir = base_dir
        self.spool = spool
        self.max_px = max_px
        self.cache: dict[str, Thumb] = {}
        self.embedded_bytes = 0
        self.styles: dict[str, str] = {}

    def style_class(self, declarations: str) -> str:
        """The name of a CSS class holding ``declarations`` (made once, spooled as one rule)."""
        name = self.styles.get(declarations)
        if name is None:
            name = self.styles[declarations] = f"g{len(self.styles) + 1}"
            self.spool.write(f".{name}{{{declarations}}}\n")
        return name

    def get(self, ref: str) -> Thumb:
        """The thumbnail of an image reference as the seller wrote it."""
        target, reason = resolve_image_ref(self.base_dir, ref)
        if target is None:
            return Thumb(None, problem="rpt_image_missing")
        if target.lower().startswith(_REMOTE):
            return Thumb(None, problem="rpt_image_remote")
        thumb = self.cache.get(target)
        if thumb is None:
            thumb = self.cache[target] = self._make(target)
        return thumb

    def _make(self, path: str) -> Thumb:
        try:
            data, width, height = make_thumbnail(path, self.max_px)
        except NoPreview as exc:
            return Thumb(None, problem=str(exc.args[0]))
        css = f"t{len(self.cache) + 1}"
        uri = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        self.spool.write(f".{css}{{background-image:url({uri})}}\n")
        self.embedded_bytes += len(data)
        return Thumb(css, width, height, size_bytes=len(data))


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("shelfcheck.reporters", "templates"),
                       autoescape=select_autoescape(("html", "j2")), trim_blocks=True,
                       lstrip_blocks=True, keep_trailing_newline=True)


def _pct(value: float) -> str:
    return f"{max(0.0, min(100.0, value)):.3f}".rstrip("0").rstrip(".") + "%"


def _evidence_items(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    items = []
    for key, value in evidence.items():
        if isinstance(value, (dict, list, tuple)):
            text = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = f"{value:g}"
        elif value is None:
            text = "-"
        else:
            text = str(value)
        items.append((key, text))
    return items


def _autofix(code: str, cat: Catalogue) -> str | None:
    """What ``shelfcheck fix`` would do with a finding of this code (``None``: nothing)."""
    from shelfcheck.fix_kinds import FIX_KINDS

    kind = FIX_KINDS.get(code)
    return None if kind is None else cat.ui("fix_link_" + kind, code=code)


def _finding_view(f: Finding, cat: Catalogue) -> dict[str, Any]:
    return {
        "autofix": _autofix(f.code, cat),
        "code": f.code,
        "severity": f.severity.label,
        "severity_text": cat.ui("sev_" + f.severity.label),
        "field": f.field,
        "message": cat.message(f),
        "fix": cat.fix(f),
        "evidence": _evidence_items(f.evidence),
    }


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _figure(ref: str, field_name: str, findings: list[Finding], thumbs: Thumbnails,
            cat: Catalogue) -> dict[str, Any]:
    """Everything the template needs to draw one image and its marks."""
    thumb = thumbs.get(ref)
    codes = [f.code for f in findings]
    fig: dict[str, Any] = {"ref": ref, "field": field_name, "codes": codes, "css": thumb.css,
                           "placeholder": None, "labels": [], "bands": [], "boxes": [], "dashed": None,
                           "dashed_cls": None, "hatched": False, "img": None}
    if "image_not_found" in codes and thumb.css is None:
        fig["placeholder"] = cat.ui("rpt_image_missing")
    elif "image_unreadable" in codes and thumb.css is None:
        fig["placeholder"] = cat.ui("rpt_image_unreadable")
    elif thumb.css is None:
        fig["placeholder"] = cat.ui(thumb.problem or "rpt_image_no_preview")
    size = next((f for f in findings if f.code == "image_wrong_size"), None)
    white = next((f for f in findings if f.code == "image_background_not_white"), None)
    ev = {**(white.evidence if white else {}), **(size.evidence if size else {})}
    w = _int(ev.get("width")) or thumb.width
    h = _int(ev.get("height")) or thumb.height
    if fig["placeholder"] is not None or not w or not h:
        return fig
    # The frame is square; the picture sits in it at its own proportions.
    side = max(w, h)
    if size is not None:
        problems = size.evidence.get("problems") or []
        min_side = _int(size.evidence.get("min_side"))
        max_side = _int(size.evidence.get("max_side"))
        if "image_side_too_small" in problems and min_side and min_side > side:
            side = min_side
        fig["labels"].append(cat.ui("rpt_dims", width=w, height=h) + " · "
                             + ("、" if cat.lang == "zh" else ", ").join(cat.reason(p) for p in problems))
        fig["labels"].append(cat.ui("rpt_dims_rule", min=min_side or "-", max=max_side or "-"))
        if w != h:
            fig["hatched"] = True
            fig["labels"].append(cat.ui("rpt_pad_legend"))
        if "image_side_too_small" in problems and min_side:
            fig["dashed"] = _pct(100 * min_side / side)
            fig["hatched"] = True
            fig["labels"].append(cat.ui("rpt_small_legend", min=min_side))
        elif "image_side_too_large" in problems and max_side:
            fig["dashed"] = _pct(100 * max_side / side)
            fig["labels"].append(cat.ui("rpt_large_legend", max=max_side))
    if fig["dashed"]:
        fig["dashed_cls"] = thumbs.style_class(f"--d:{fig['dashed']}")
    img = {"w": _pct(100 * w / side), "h": _pct(100 * h / side),
           "left": _pct(50 * (side - w) / side), "top": _pct(50 * (side - h) / side)}
    img["cls"] = thumbs.style_class(f"left:{img['left']};top:{img['top']};width:{img['w']};"
                                    f"height:{img['h']}")
    fig["img"] = img
    if white is not None:
        band_px = _int(white.evidence.get("band_px")) or max(1, round(min(w, h) * 0.02))
        ratios = white.evidence.get("bands") or {}
        minimum = white.evidence.get("min")
        failing = white.evidence.get("failing_bands") or [white.evidence.get("band")]
        for name in failing:
            if name not in ("top", "bottom", "left", "right"):
                continue
            across = h if name in ("top", "bottom") else w
            ratio = ratios.get(name, white.evidence.get("white_ratio"))
            label = cat.ui("rpt_band_mark", band=cat.reason(name),
                           percent=round(float(ratio) * 100, 1) if ratio is not None else "-",
                           min_percent=round(float(minimum) * 100, 1) if minimum is not None else "-")
            size = _pct(100 * band_px / across)
            fig["bands"].append({"side": name, "size": size, "label": label,
                                 "cls": thumbs.style_class(f"--s:{size}")})
            fig["labels"].append(label)
        offending = white.evidence.get("offending") or {}
        marked = [offending.get(name) for name in failing if isinstance(offending, dict)]
        for box in marked:
            cls = _box_class(box, w, h, thumbs)
            if cls:
                fig["boxes"].append({"kind": "offbox", "cls": cls, "label": cat.ui("rpt_backdrop_legend")})
        crossings = [b for b in white.evidence.get("crossing_boxes") or [] if _box_class(b, w, h, thumbs)]
        for box in crossings:
            fig["boxes"].append({"kind": "prodbox", "cls": _box_class(box, w, h, thumbs),
                                 "label": cat.ui("rpt_crossing_legend")})
        if any(b["kind"] == "offbox" for b in fig["boxes"]):
            fig["labels"].append(cat.ui("rpt_backdrop_legend"))
        if crossings:
            fig["labels"].append(cat.ui("rpt_crossing_legend"))
    return fig


def _box_class(box: Any, w: int, h: int, thumbs: Thumbnails) -> str | None:
    """The geometry class of an ``[x0, y0, x1, y1]`` box in image pixels, over the picture."""
    if not (isinstance(box, (list, tuple)) and len(box) == 4 and all(_int(v) is not None or v == 0
                                                                    for v in box)):
        return None
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        return None
    return thumbs.style_class(f"left:{_pct(100 * x0 / w)};top:{_pct(100 * y0 / h)};"
                              f"width:{_pct(100 * (x1 - x0) / w)};height:{_pct(100 * (y1 - y0) / h)}")


def _figures(findings: list[Finding], thumbs: Thumbnails, cat: Catalogue) -> list[dict[str, Any]]:
    groups: dict[tuple[Where, str], list[Finding]] = {}
    for f in findings:
        ref = f.evidence.get("ref")
        if isinstance(ref, str) and ref.strip():
            groups.setdefault((f.where, ref), []).append(f)
    def position(key: tuple[Where, str]) -> tuple[str, int, str]:
        where = key[0]
        return (where.field, where.position, where.text)  # main_images[2] before main_images[10]

    return [_figure(ref, where.text, groups[(where, ref)], thumbs, cat)
            for where, ref in sorted(groups, key=position)
            if not ref.strip().lower().startswith(_REMOTE)]  # URLs are not fetched to draw them


def _top_category(category: str) -> str:
    return category.split(">")[0].strip() if category else ""


@dataclass
class _Tally:
    summary: Summary = field(default_factory=Summary)
    severity_of: dict[str, str] = field(default_factory=dict)
    family_of: dict[str, str] = field(default_factory=dict)
    categories: Counter[str] = field(default_factory=Counter)
    clean: int = 0

    def add(self, findings: list[Finding]) -> None:
        for f in findings:
            current = self.severity_of.get(f.code)
            if current is None or _SEV_ORDER[f.severity.label] < _SEV_ORDER[current]:
                self.severity_of[f.code] = f.severity.label


def rule_summary(code: str, cat: Catalogue, policy: Any = None) -> str:
    """A finding code's one-line summary in the catalogue's language, numbers from ``policy``."""
    if code not in RULES:
        return ""
    return rule_text(code, cat.lang, policy).summary.replace("``", "")


def _card(result: ListingResult | None, findings: list[Finding], thumbs: Thumbnails,
          cat: Catalogue) -> dict[str, Any]:
    views = [_finding_view(f, cat) for f in sorted(findings, key=lambda f: -f.severity)]
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    card: dict[str, Any] = {
        "shop": result is None,
        "findings": views,
        "errors": errors,
        "warnings": sum(1 for f in findings if f.severity is Severity.WARNING),
        "codes": " ".join(sorted({f.code for f in findings})),
        "figures": _figures(findings, thumbs, cat),
    }
    if result is None:
        card.update(status="fail" if errors else "pass", title=cat.ui("shop_heading"), sku="",
                    row=None, category="", top="")
    else:
        card.update(status=result.status, title=result.seller_sku or cat.ui("rpt_no_sku"),
                    sku=result.seller_sku, row=result.row, category=result.category,
                    top=_top_category(result.category))
    card["status_text"] = cat.ui("status_" + card["status"])
    return card


def _product_view(product: Any, cat: Catalogue) -> dict[str, Any]:
    p = product.product
    rows = rows_text(p.rows)
    title = (cat.ui("product_heading", product=p.key, skus=len(p.skus), rows=rows) if p.key is not None
             else cat.ui("product_single", rows=rows))
    findings = []
    for f in sorted(product.findings, key=lambda f: -f.severity):
        view = _finding_view(f, cat)
        view["rows"] = rows_text(f.evidence.get("rows", []))
        findings.append(view)
    return {
        "key": p.key or "", "title": title, "rows": cat.ui("product_finding_rows", rows=rows),
        "category": p.category, "status": product.status, "status_text": cat.ui("status_" + product.status),
        "errors": sum(1 for f in product.findings if f.severity is Severity.ERROR),
        "skus": [{"row": s.row, "sku": s.seller_sku or cat.ui("rpt_no_sku"),
                  "attributes": attributes_text(s.sales_attributes),
                  "status": product.sku_status(s), "status_text": cat.ui("status_" + product.sku_status(s))}
                 for s in p.skus],
        "findings": findings,
    }


def write_html(
    header: dict[str, Any],
    shop_findings: list[Finding],
    results: Iterable[ListingResult],
    out: IO[str],
    cat: Catalogue,
    *,
    source: Path,
    max_px: int = THUMB_PX,
    policy: Any = None,
    products: Any = None,
) -> Summary:
    """Write the HTML report; return the summary (counted while streaming).

    Args:
        header: ``tool``, ``policy``, ``as_of`` from the run.
        shop_findings: the shop/channel findings.
        results: listing results, consumed once.
        out: text stream to write to.
        cat: message catalogue of the chosen language.
        source: the catalogue file; relative image paths are resolved against its folder.
        max_px: longest side of the embedded thumbnails.
        policy: the run's policy pack, for the numbers in the rule summaries (default: built-in).
        products: called once the listings are read: the products; each of several SKUs, or
            with product-level findings, gets a card in a "Products" section after the listings.
    """
    env = _env()
    card_tpl = env.get_template("card.html.j2")
    tally = _Tally()
    tally.summary.add_findings(shop_findings)
    tally.add(shop_findings)
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors=REPLACE_ERRORS) as cards, \
            tempfile.TemporaryFile("w+", encoding="utf-8", errors=REPLACE_ERRORS) as thumb_css:
        thumbs = Thumbnails(Path(source).resolve().parent, thumb_css, max_px)
        shop_card = card_tpl.render(card=_card(None, shop_findings, thumbs, cat), ui=cat.ui) \
            if shop_findings else ""
        # Rows are spooled until the products are read: a row shows its product's status.
        status = ProductStatus(tally.summary, products, cat)
        status.read(results, keep=worth_showing)
        for result, why in status.rows():
            tally.add(result.findings)
            tally.categories[_top_category(result.category)] += 1
            if not result.findings and why is None:
                tally.clean += 1
            card = _card(result, result.findings, thumbs, cat)
            card["product_note"] = why.text(cat) if why is not None else ""
            cards.write(card_tpl.render(card=card, ui=cat.ui))
        product_html: list[str] = []
        if status.products:
            product_tpl = env.get_template("product.html.j2")
            for product in status.products:
                tally.add(product.findings)
                product_html.append(product_tpl.render(p=_product_view(product, cat), ui=cat.ui))
        summary = tally.summary
        codes = sorted(summary.by_code.items(), key=lambda kv: (-kv[1], kv[0]))
        by_family: dict[str, list[str]] = {}
        for code, _ in sorted(summary.by_code.items()):
            family = RULES[code].family if code in RULES else "other"
            by_family.setdefault(family, []).append(code)
        page = env.get_template("report.html.j2").render(
            ui=cat.ui,
            lang="zh-CN" if cat.lang == "zh" else "en",
            source=Path(source).name,
            policy=header["policy"],
            as_of=header["as_of"],
            tool=header["tool"]["version"],
            layout_lines=footer_lines(header.get("layout"), cat),
            notes=[cat.note(n) for n in header.get("notes") or ()],
            summary=summary,
            codes=[{"code": c, "count": n, "severity": tally.severity_of.get(c, "error"),
                    "severity_text": cat.ui("sev_" + tally.severity_of.get(c, "error")),
                    "summary": rule_summary(c, cat, policy)} for c, n in codes],
            families=sorted(by_family.items()),
            categories=sorted(c for c in tally.categories if c),
            has_uncategorised=bool(tally.categories.get("")),
            clean=tally.clean,
            shop_card=_SHOP,
            cards_marker=_CARDS,
            thumbs_marker=_THUMBS,
            csp=_CSP,
        )
        extra_css = thumb_css.tell() > 0
        policy_text = content_security_policy(page, _spooled_hash(thumb_css) if extra_css else None)
        page = page.replace(_CSP, policy_text, 1).replace(_SHOP, shop_card, 1)
        head, rest = page.split(_CARDS, 1)
        middle, tail = rest.split(_THUMBS, 1)
        if product_html:
            section = (f'<section id="products" aria-label="{html.escape(cat.ui("products_heading"))}">\n'
                       f'<h2>{html.escape(cat.ui("products_heading"))}</h2>\n' + "".join(product_html) + "</section>\n")
            middle = middle.replace("</main>", "</main>\n" + section, 1)
        out.write(head)
        cards.seek(0)
        shutil.copyfileobj(cards, out)
        out.write(middle)
        if extra_css:
            out.write("<style>\n")
            thumb_css.seek(0)
            shutil.copyfileobj(thumb_css, out)
            out.write("</style>\n")
        out.write(tail)
    return summary


def _csp_hash(digest: bytes) -> str:
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _spooled_hash(spool: IO[str]) -> str:
    """The CSP hash of the ``<style>`` element written around ``spool`` (``"\\n"`` + its text)."""
    digest = hashlib.sha256(b"\n")
    spool.seek(0)
    while chunk := spool.read(1 << 20):
        digest.update(chunk.encode("utf-8", REPLACE_ERRORS))
    return _csp_hash(digest.digest())


def content_security_policy(page: str, *extra_style_hashes: str | None) -> str:
    """The page's Content-Security-Policy: no network, and only the ``<style>`` and ``<script>``
    elements of the rendered template ``page`` (plus the spooled style sheet) may apply or run."""
    hashes: dict[str, list[str]] = {"style": [], "script": []}
    for tag, body in _INLINE.findall(page):
        hashes[tag].append(_csp_hash(hashlib.sha256(body.encode("utf-8", REPLACE_ERRORS)).digest()))
    hashes["style"].extend(h for h in extra_style_hashes if h)
    style = " ".join(dict.fromkeys(hashes["style"])) or "'none'"
    script = " ".join(dict.fromkeys(hashes["script"])) or "'none'"
    return (f"default-src 'none'; img-src data:; style-src {style}; script-src {script}; "
            "base-uri 'none'; form-action 'none'")


def report(run: Any, out: IO[str], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point (see :mod:`shelfcheck.reporters`)."""
    return write_html(run.header(), run.shop_findings, run.results(), out, cat, products=product_results(run),
                      source=run.source.path, policy=getattr(getattr(run, "run", None), "policy", None))
