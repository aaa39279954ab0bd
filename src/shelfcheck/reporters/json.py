"""The JSON report (contract §4), written incrementally.

Listings are streamed to a spool file as they are checked, so memory stays flat for any catalogue
size; the final document is then written with the summary first, as the contract shows it.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import os
import pickle
import struct
import tempfile
from array import array
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import IO, Any

from shelfcheck.findings import Finding, ListingResult, RenderedBatch, Summary
from shelfcheck.forked import Forked
from shelfcheck.i18n import Catalogue, catalogue
from shelfcheck.reporters.inert import REPLACE_ERRORS
from shelfcheck.notes import note_dicts

__all__ = ["SCHEMA", "finding_dict", "listing_dict", "listing_text", "product_dict", "render_listing", "write_json"]

SCHEMA = "shelfcheck.report/1"
_SEPARATOR = ",\n    "  # between the entries of a list
_SEPARATOR_BYTES = len(_SEPARATOR.encode("utf-8"))
_PIECE = 1 << 20  # bytes copied at a time from the spool


def finding_dict(finding: Finding, cat: Catalogue) -> dict[str, Any]:
    """One finding as the contract's ``FINDING`` object, messages in the catalogue's language."""
    return {
        "code": finding.code,
        "severity": finding.severity.label,
        "field": finding.field,
        "message": cat.message(finding),
        "fix": cat.fix(finding),
        "evidence": finding.evidence,
    }


def listing_dict(result: ListingResult, cat: Catalogue) -> dict[str, Any]:
    """One listing's entry of ``listings``."""
    return {
        "row": result.row,
        "seller_sku": result.seller_sku,
        "status": result.status,
        "findings": [finding_dict(f, cat) for f in result.findings],
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
# Findings already rendered, by the key the engine gives a finding it shares between listings
# (``Finding.shared``): listings that share findings share their text. Each entry keeps its
# catalogue, so a text is only reused in the language (and pack) it was rendered for.
_RENDERED: dict[Any, tuple[Catalogue, str]] = {}
_RENDERED_MAX = 20_000


def _dump(value: Any) -> str:
    return _ENCODER.encode(value)


def _finding_text(finding: Finding, cat: Catalogue) -> str:
    shared = finding.shared
    if shared is None:  # a finding of this listing only: nothing to remember
        return _dump(finding_dict(finding, cat))
    known = _RENDERED.get(shared)
    if known is not None and known[0] is cat:
        return known[1]
    text = _dump(finding_dict(finding, cat))
    if len(_RENDERED) >= _RENDERED_MAX:
        _RENDERED.clear()
    _RENDERED[shared] = (cat, text)
    return text


def listing_text(result: ListingResult, cat: Catalogue) -> str:
    """One listing's entry of ``listings`` as JSON text: ``listing_dict`` dumped, made faster."""
    findings = ", ".join([_finding_text(f, cat) for f in result.findings])
    return (f'{{"row": {result.row:d}, "seller_sku": {_dump(result.seller_sku)}, '
            f'"status": "{result.status}", "findings": [{findings}]}}')


def product_finding_dict(finding: Finding, cat: Catalogue) -> dict[str, Any]:
    """A product-level finding: ``FINDING`` with the ``rows`` it covers."""
    return {**finding_dict(finding, cat), "rows": list(finding.evidence.get("rows", []))}


@functools.lru_cache(maxsize=4096)  # a catalogue's SKUs share a few attribute sets
def _attributes_text(items: tuple[tuple[str, str], ...]) -> str:
    return _dump(dict(items))


def _sku_head(sku: Any) -> str:
    image = sku.sku_image
    return (f'{{"sales_attributes": {_attributes_text(tuple(sku.sales_attributes.items()))}, '
            f'"sku_image": {_dump(image) if image else "null"}, ')


def _product_head(product: Any, cat: Catalogue) -> dict[str, Any]:
    """A ``products`` entry without its ``skus`` (the JSON report writes those from the listings)."""
    p = product.product
    return {
        "product_key": p.key,
        "title": p.title,
        "status": product.status,
        "rows": p.rows,
        "findings": [product_finding_dict(f, cat) for f in product.findings],
    }


def product_dict(product: Any, cat: Catalogue, sku_findings: Callable[[Any], list[dict[str, Any]]] | None = None,
                 ) -> dict[str, Any]:
    """One entry of ``products`` (a :class:`~shelfcheck.rules.variants.ProductResult`); each
    SKU's ``findings`` from ``sku_findings(sku)`` (its row's findings; none when not given)."""
    p = product.product
    return {
        **_product_head(product, cat),
        "skus": [{"row": s.row, "seller_sku": s.seller_sku, "sales_attributes": s.sales_attributes,
                  "sku_image": s.sku_image or None,
                  "status": product.sku_status(s),
                  "findings": sku_findings(s) if sku_findings else []} for s in p.skus],
    }


def _failed(text: str) -> str:
    """A listing's text with its status ``fail`` (the first ``"status"`` key is the listing's:
    the row and seller SKU before it are a number and an escaped string)."""
    return text.replace('"status": "pass"', '"status": "fail"', 1)


def render_listing(result: ListingResult, lang: str) -> str:
    """One ``listings`` entry as JSON text (a module-level function: it can run in a worker)."""
    return listing_text(result, catalogue(lang))


class _Sink:
    """Where the spooled UTF-8 text goes: straight to ``raw``, the bytes under ``out``, when the
    caller says that gives the same file; else decoded and written through ``out``."""

    def __init__(self, out: IO[str], raw: IO[bytes] | None) -> None:
        self._out = out
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(REPLACE_ERRORS)
        if raw is not None:
            out.flush()  # what ``out`` holds goes first

    def write(self, data: bytes) -> None:
        if self._raw is not None:
            self._raw.write(data)
        else:
            self._out.write(self._decoder.decode(data))

    def copy(self, source: IO[bytes], count: int | None = None) -> None:
        """Copy ``count`` bytes (default: the rest) from ``source``'s position."""
        _copy(source, self.write, count)

    def close(self) -> None:
        """Write out what the decoder still holds; ``out`` takes over again."""
        if self._raw is None:
            self._out.write(self._decoder.decode(b"", final=True))
        else:
            self._raw.flush()


def _start(ends: Any, position: int) -> int:
    """Where the listing at ``position`` starts in the spool: after the one before and a separator."""
    return ends[position - 1] + _SEPARATOR_BYTES if position else 0


def _copy_flipped(spool: IO[bytes], sink: _Sink, ends: Any, flipped: list[int]) -> None:
    """Copy the spooled listings to ``sink`` in one sequential pass, each listing at a position in
    ``flipped`` (ascending) with its status turned to ``fail``."""
    spool.seek(0)
    at = 0
    for position in flipped:
        start, end = _start(ends, position), ends[position]
        sink.copy(spool, start - at)
        sink.write(_failed(spool.read(end - start).decode("utf-8", REPLACE_ERRORS)).encode("utf-8"))
        at = end
    sink.copy(spool, (ends[-1] if len(ends) else 0) - at)


def _write_products(items: Iterable[Any], read: Callable[[int, int], bytes], ends: Any, cat: Catalogue,
                    out: IO[bytes], first: bool = True) -> tuple[Summary, set[int], int]:
    """Write the ``products`` entries of ``items`` to ``out`` (UTF-8, a separator before each but
    the first when ``first``), each SKU with its row's entry from the spool (``read(start, size)``):
    their counts, the positions of the rows that fail by their product, and how many were written."""
    summary = Summary()
    flips: set[int] = set()
    count = 0
    for product in items:
        turned = product.rows_failed_by_product()
        summary.add_product(product.status, product.findings, len(turned))
        mine = {sku.position for sku in turned}
        flips |= mine
        parts = []
        for sku in product.product.skus:
            start = _start(ends, sku.position)
            text = read(start, ends[sku.position] - start).decode("utf-8", REPLACE_ERRORS)
            parts.append(_sku_head(sku) + (_failed(text) if sku.position in mine else text)[1:])
        head = _dump(_product_head(product, cat))[:-1]
        out.write((("" if first and not count else _SEPARATOR)
                   + f'{head}, "skus": [{", ".join(parts)}]}}').encode("utf-8", REPLACE_ERRORS))
        count += 1
    return summary, flips, count


_TAIL = struct.Struct("<q")  # the length of the counts a forked share writes after its texts


def _products_section(products: Callable[..., Iterable[Any]], shares: int, spool: IO[bytes], ends: Any,
                      cat: Catalogue, out: IO[bytes], summary: Summary, flips: set[int]) -> int:
    """Write every product's entry to ``out``, adding their counts to ``summary`` and their
    rows failing by their product to ``flips``; return how many. With ``shares`` of 2, the second
    half is written in a forked copy of this process meanwhile (done here if that copy fails);
    both then read the spool at offsets (``os.pread``), never through its shared file position."""
    spool.flush()
    fd = spool.fileno()

    def read_at(start: int, size: int) -> bytes:
        return os.pread(fd, size, start)

    def second_half(file: IO[bytes]) -> None:
        counts = pickle.dumps(_write_products(products((1, 2)), read_at, ends, cat, file), pickle.HIGHEST_PROTOCOL)
        file.write(counts)
        file.write(_TAIL.pack(len(counts)))

    other: Forked | None = None
    if shares >= 2:
        try:
            other = Forked(second_half)
        except OSError:  # no process to be had (a limit, memory): all of them here
            other = None
    if other is None:

        def read(start: int, size: int) -> bytes:
            spool.seek(start)
            return spool.read(size)

        got, turned, count = _write_products(products(), read, ends, cat, out)
        summary.merge(got)
        flips |= turned
        return count
    try:
        got, turned, count = _write_products(products((0, 2)), read_at, ends, cat, out)
        done = other.result()
    except BaseException:
        other.cancel()
        raise
    summary.merge(got)
    flips |= turned
    if done is None:  # the copy failed: the second half here
        got, turned, more = _write_products(products((1, 2)), read_at, ends, cat, out, first=not count)
    else:
        with done:
            size = done.seek(0, os.SEEK_END)
            done.seek(size - _TAIL.size)
            (length,) = _TAIL.unpack(done.read(_TAIL.size))
            done.seek(size - _TAIL.size - length)
            got, turned, more = pickle.loads(done.read(length))
            done.seek(0)
            if count and more:
                out.write(_SEPARATOR.encode("utf-8"))
            _copy(done, out.write, size - _TAIL.size - length)
    summary.merge(got)
    flips |= turned
    return count + more


def _copy(source: IO[bytes], write: Callable[[bytes], Any], count: int | None = None) -> None:
    """Hand ``count`` bytes (default: the rest) from ``source``'s position to ``write``, in bounded
    pieces."""
    while count is None or count > 0:
        data = source.read(_PIECE if count is None else min(count, _PIECE))
        if not data:
            break
        if count is not None:
            count -= len(data)
        write(data)


def write_json(
    header: dict[str, Any],
    shop_findings: list[Finding],
    results: Iterable[ListingResult | RenderedBatch],
    out: IO[str],
    cat: Catalogue,
    summary: Summary | None = None,
    products: Callable[..., Iterable[Any]] | None = None,
    raw: IO[bytes] | None = None,
    product_shares: Callable[[], int] | None = None,
) -> Summary:
    """Write the report; return the summary (counted while streaming).

    Args:
        header: ``tool``, ``policy``, ``as_of`` (and optionally ``datasets``; ``layout``, the
            catalogue's header row, skipped template rows and ignored columns; ``notes``, the run
            notes written as ``summary.notes``) from the run.
        shop_findings: the shop/channel findings.
        results: listing results, or batches of listings already rendered (see
            :meth:`~shelfcheck.api.Preflight.rendered`), consumed once.
        out: text stream to write to.
        cat: message catalogue of the chosen language.
        summary: a summary to add to (default: a new one).
        products: called once the listings are written: the products
            (:class:`~shelfcheck.rules.variants.ProductResult`), written as ``products`` — each
            SKU with its row's entry of ``listings``.
        raw: the binary stream under ``out``, when UTF-8 bytes written to it (after ``out`` is
            flushed) make the same file as the text written through ``out``: the listings and
            products are then copied to it without being decoded and encoded again.
        product_shares: called once the listings are written: 2 when ``products((i, 2))`` gives
            the ``i``-th half of the products and the second half may be written in a forked copy
            of this process meanwhile (see :meth:`~shelfcheck.api.Preflight.product_shares`).
    """
    summary = summary or Summary()
    summary.add_findings(shop_findings)
    # The listings' text is spooled once, as UTF-8: the products re-read each SKU's entry from it
    # by its offsets, then it is copied to ``out``.
    with tempfile.TemporaryFile("w+b") as spool:
        ends = array("q")  # where each listing's text ends in ``spool`` (bytes; see ``_start``)
        end = 0
        separator = _SEPARATOR.encode("utf-8")

        def write(texts: list[str]) -> None:
            """Spool consecutive listings' texts in one write."""
            nonlocal end
            data = [text.encode("utf-8", REPLACE_ERRORS) for text in texts]
            if end:
                spool.write(separator)
                end += len(separator)
            spool.write(separator.join(data))
            if products is not None:  # offsets only when the products need them: each text's
                # end, the separators between them counted
                step = len(separator)
                at = accumulate((len(one) + step for one in data), initial=end - step)
                next(at)  # the initial value
                ends.extend(at)
            end += sum(map(len, data)) + len(separator) * (len(data) - 1)

        for item in results:
            if isinstance(item, RenderedBatch):
                if not item.texts:
                    continue
                summary.merge(item.summary)
                write(item.texts)
            else:
                summary.add_listing(item)
                write([listing_text(item, cat)])
        product_texts = tempfile.TemporaryFile("w+b")
        n_products = 0
        flips: set[int] = set()  # positions of rows that fail by their product's findings
        if products is not None:
            shares = product_shares() if product_shares is not None else 1
            n_products = _products_section(products, shares, spool, ends, cat, product_texts, summary, flips)
        product_texts.seek(0)
        doc_summary = {
            "listings": summary.listings,
            "passed": summary.passed,
            "failed": summary.failed,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "notes": note_dicts(header.get("notes") or (), cat),
        }
        if products is not None:
            doc_summary.update(products=summary.products, products_passed=summary.products_passed,
                               products_failed=summary.products_failed)
        layout = header.get("layout") or {}
        doc_summary["header_row"] = layout.get("header_row", 1)
        doc_summary["skipped_rows"] = layout.get("skipped_rows", [])
        doc_summary["ignored_columns"] = layout.get("ignored_columns", [])
        out.write("{\n")
        out.write(f'  "schema": {_dump(SCHEMA)},\n')
        for key in ("tool", "policy", "as_of", "datasets"):
            if key in header:
                out.write(f"  {_dump(key)}: {_dump(header[key])},\n")
        out.write(f'  "summary": {_dump(doc_summary)},\n')
        out.write(f'  "by_code": {_dump(dict(sorted(summary.by_code.items())))},\n')
        shop = _SEPARATOR.join(_dump(finding_dict(f, cat)) for f in shop_findings)
        out.write(f'  "shop_findings": [{chr(10) + "    " + shop + chr(10) + "  " if shop else ""}],\n')
        out.write('  "listings": [')
        if summary.listings:
            out.write("\n    ")
            sink = _Sink(out, raw)
            if flips:  # one sequential pass: the rows' texts again, each failed row's status turned
                _copy_flipped(spool, sink, ends, sorted(flips))
            else:
                spool.seek(0)
                sink.copy(spool)
            sink.close()
            out.write("\n  ")
        if products is not None:
            out.write('],\n  "products": [')
            if n_products:
                out.write("\n    ")
                sink = _Sink(out, raw)
                sink.copy(product_texts)
                sink.close()
                out.write("\n  ")
        product_texts.close()
        out.write("]\n}\n")
    return summary


def report(run: Any, out: IO[str], cat: Catalogue, options: Any) -> Summary:
    """Reporter entry point (see :mod:`shelfcheck.reporters`)."""
    batches = run.rendered(functools.partial(render_listing, lang=cat.lang))
    return write_json(run.header(), run.shop_findings, batches, out, cat,
                      products=getattr(run, "products", None), raw=_utf8_bytes_under(out),
                      product_shares=getattr(run, "product_shares", None))


def _utf8_bytes_under(out: IO[str]) -> IO[bytes] | None:
    """The binary stream under the command's output when UTF-8 bytes written to it read as the
    text would: a UTF-8 text file on a system whose line end is ``\n`` (the command's output
    translates no line end then; see ``shelfcheck.cli.common.open_output``)."""
    if os.linesep != "\n" or not isinstance(out, io.TextIOWrapper):
        return None
    try:
        utf8 = codecs.lookup(out.encoding).name == "utf-8"
    except LookupError:
        return None
    return out.buffer if utf8 else None
