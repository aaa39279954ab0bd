"""Image analysis: the fast path agrees with the exact one, the cache, remote images, workers."""

from __future__ import annotations

import dataclasses
import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpers import Workspace, codes, make_image, write_csv
from shelfcheck.analysis.cache import ImageCache
from shelfcheck.analysis.fetch import fetch_all, host_is_public
from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_bytes, analyse_image, band_width
from shelfcheck.policy import load_policy

POLICY = load_policy()
PARAMS = WhiteParams.of(POLICY.images.white_background)


def _jpeg(size: int, line: tuple[str, int, int] | None = None, background: int = 255, quality: int = 90) -> bytes:
    img = Image.new("RGB", (size, size), (background,) * 3)
    draw = ImageDraw.Draw(img)
    draw.ellipse([size // 4, size // 4, 3 * size // 4, 3 * size // 4], fill=(40, 90, 150))
    if line is not None:
        side, width, grey = line
        box = {"top": [0, 0, size - 1, width - 1], "left": [0, 0, width - 1, size - 1],
               "bottom": [0, size - width, size - 1, size - 1], "right": [size - width, 0, size - 1, size - 1]}[side]
        draw.rectangle(box, fill=(grey,) * 3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.mark.parametrize("line", [None, ("top", 1, 200), ("left", 1, 244), ("right", 2, 246),
                                  ("bottom", 3, 250), ("left", 1, 120), ("top", 5, 240)])
@pytest.mark.parametrize("size", [1080, 1500])
def test_a_line_along_the_border_costs_its_width_of_the_band(line: tuple[str, int, int] | None, size: int) -> None:
    """A line below the white threshold (min(RGB) < 245) along a whole side is backdrop, not
    product: its band loses the line's width; a lighter line costs nothing."""
    info = analyse_bytes(_jpeg(size, line), ImageInfo("x"), PARAMS)
    band = band_width(size, size, POLICY.images.white_background.band)
    lost = line[1] if line is not None and line[2] < POLICY.images.white_background.min_channel else 0
    assert min(info.bands.values()) == round(1 - lost / band, 4)  # type: ignore[union-attr]


def _speckled(value: int, per_block: int) -> bytes:
    """Pure white with ``per_block`` pixels of ``value`` in every 8×8 block (sensor noise, dust)."""
    arr = np.full((1080, 1080, 3), 255, np.uint8)
    rng = np.random.default_rng(7)
    for y in range(0, 1080, 8):
        for x in range(0, 1080, 8):
            for _ in range(per_block):
                arr[y + rng.integers(8), x + rng.integers(8)] = value
    arr[300:780, 300:780] = (200, 40, 40)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=95)
    return buf.getvalue()


@pytest.mark.parametrize("value", [235, 238])
def test_a_speckled_border_that_reads_pure_white_at_one_eighth_scale_fails(value: int) -> None:
    data = _speckled(value, 2)
    reduced = Image.open(io.BytesIO(data))
    reduced.draft("RGB", (135, 135))
    assert np.asarray(reduced)[:2].min() == 255  # the 1/8-scale border: every block's mean rounds to 255
    info = analyse_bytes(data, ImageInfo("x"), PARAMS)
    ratio = min(info.bands.values())  # type: ignore[union-attr]
    assert 0.9 < ratio < POLICY.images.white_background.min_ratio  # measured at full scale: fails


def test_near_white_background_is_measured_exactly() -> None:
    info = analyse_bytes(_jpeg(1080, background=250), ImageInfo("x"), PARAMS)
    assert min(info.bands.values()) == 1.0  # type: ignore[union-attr]


def test_truncated_jpeg_is_caught() -> None:
    data = _jpeg(1080)
    info = analyse_bytes(data[: len(data) // 2], ImageInfo("x"), PARAMS)
    assert info.decodable is False and "truncated" in (info.decode_error or "")
    assert info.width == 1080  # the header was fine


def test_special_files_do_not_hang_or_crash(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert analyse_image("pipe.jpg", str(fifo), PARAMS).reason == "image_not_regular_file"
    assert analyse_image("zero", "/dev/zero", PARAMS).reason == "image_not_regular_file"
    assert analyse_image("dir", str(tmp_path), PARAMS).reason == "image_not_regular_file"
    assert analyse_image("none", str(tmp_path / "none.jpg"), PARAMS).reason == "image_file_missing"


def test_cache_reuses_unchanged_files_and_sees_edits(tmp_path: Path) -> None:
    path = make_image(tmp_path / "a.jpg")
    cache = ImageCache(tmp_path / "cache.sqlite")
    key = PARAMS.key()
    assert cache.lookup(str(path), key) is None
    info = analyse_image("a.jpg", str(path), PARAMS)
    cache.store([info], key)
    again = cache.lookup(str(path), key)
    assert again is not None and again.sha256 == info.sha256 and again.bands == info.bands
    assert cache.lookup(str(path), dataclasses.replace(PARAMS, min_ratio=0.99).key()) is None  # other parameters
    make_image(path, background=(200, 200, 200))  # edited in place
    os.utime(path, ns=(1, 1))
    assert cache.lookup(str(path), key) is None
    assert cache.lookup_content(info.sha256 or "", key) is not None  # same content elsewhere


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    db = tmp_path / "cache.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    cache = ImageCache(db)
    assert cache.lookup("/nowhere.jpg", PARAMS.key()) is None
    cache.store([ImageInfo("x", path="/x", found=True, sha256="ab")], PARAMS.key())


def test_check_uses_the_cache_across_runs(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import shelfcheck.engine.images as engine

    rows = [ws.listing(seller_sku=f"C-{i}") for i in range(3)]
    first = ws.check(rows)
    calls: list[str] = []
    real = engine.analyse_image

    def counting(ref: str, path: str, params: WhiteParams) -> ImageInfo:
        calls.append(path)
        return real(ref, path, params)

    monkeypatch.setattr(engine, "analyse_image", counting)
    second = ws.check(rows)
    assert calls == []
    assert codes(first) == codes(second) == []


# Remote images ------------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    images: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/x.jpg")
            self.end_headers()
            return
        if self.path == "/big-stream.jpg":
            self.send_response(200)
            self.end_headers()
            for _ in range(7):
                self.wfile.write(b"\xff" * 1024 * 1024)
            return
        body = self.images.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.images = {"/good.jpg": _jpeg(1080), "/grey.jpg": _jpeg(1080, background=200)}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_refuses_private_hosts_unless_allowed(server: str) -> None:
    assert not host_is_public("127.0.0.1") and not host_is_public("10.1.2.3")
    assert not host_is_public("169.254.169.254") and not host_is_public("::1")
    assert host_is_public("93.184.216.34")
    refused = fetch_all([f"{server}/good.jpg"], max_bytes=POLICY.images.max_bytes)
    assert refused[f"{server}/good.jpg"].reason == "image_url_private"
    allowed = fetch_all([f"{server}/good.jpg", f"{server}/missing.jpg", f"{server}/big-stream.jpg",
                         f"{server}/redirect-private"], allow_private=True, max_bytes=POLICY.images.max_bytes)
    assert allowed[f"{server}/good.jpg"].data == _Handler.images["/good.jpg"]
    assert allowed[f"{server}/missing.jpg"].status == 404
    big = allowed[f"{server}/big-stream.jpg"]
    assert big.too_large and big.size is not None and big.size <= POLICY.images.max_bytes + 1024 * 1024


def test_check_with_remote_images(ws: Workspace, server: str) -> None:
    refs = f"{server}/good.jpg|{server}/grey.jpg|{server}/missing.jpg|{server}/big-stream.jpg"
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(main_images=refs)])
    import shelfcheck

    report = shelfcheck.check(catalog, allow_private_urls=True, jobs=1)
    found = {(f.code, f.field) for f in report.listings[0].findings}
    assert ("image_background_not_white", "main_images[1]") in found
    assert ("image_not_found", "main_images[2]") in found
    assert ("image_file_too_large", "main_images[3]") in found
    assert not any(field == "main_images[0]" for _, field in found)
    blocked = shelfcheck.check(catalog, jobs=1)
    reasons = {f.evidence.get("reason") for f in blocked.listings[0].findings if f.code == "image_not_found"}
    assert reasons == {"image_url_private"}


def test_workers_give_the_same_results_as_one_process(ws: Workspace) -> None:
    images = [ws.image(product=(i * 40 % 255, 60, 90)) for i in range(6)]
    images.append(ws.image(background=(210, 210, 210)))
    rows = []
    for i in range(900):
        pick = [images[(i + k) % len(images)] for k in range(3)]
        rows.append(ws.listing(seller_sku=f"W-{i % 850}", main_images="|".join(pick),
                               title="Short" if i % 7 == 0 else "Stackable Storage Box with Lid"))
    catalog = write_csv(ws.root / "catalog.csv", rows)
    import shelfcheck

    one = shelfcheck.check(catalog, jobs=1, cache=False)
    two = shelfcheck.check(catalog, jobs=2, cache=False)
    assert [(r.row, r.seller_sku, [(f.code, f.field, f.evidence) for f in r.findings]) for r in one.listings] == \
           [(r.row, r.seller_sku, [(f.code, f.field, f.evidence) for f in r.findings]) for r in two.listings]
    assert one.summary.by_code["duplicate_sku"] == 50
    assert one.summary.by_code["image_background_not_white"] > 0


def test_small_memos_give_the_same_results(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run-wide memos of images and family findings may be cleared at any chunk."""
    images = [ws.image(product=(i * 30 % 255, 90, 60)) for i in range(9)]
    images.append(ws.image(background=(200, 200, 200)))
    rows = [ws.listing(seller_sku=f"S-{i}", main_images="|".join(images[(i * 7 + k) % 10] for k in range(3)))
            for i in range(800)]
    catalog = write_csv(ws.root / "catalog.csv", rows)
    import shelfcheck

    def findings(jobs: int) -> list[Any]:
        report = shelfcheck.check(catalog, jobs=jobs, cache=False)
        return [(r.row, [(f.code, f.field, f.evidence) for f in r.findings]) for r in report.listings]

    expected = findings(1)
    monkeypatch.setattr("shelfcheck.engine.images.MEMO_IMAGES", 4)
    monkeypatch.setattr("shelfcheck.engine.checker.MEMO_FAMILIES", 3)
    monkeypatch.setattr("shelfcheck.engine.scheduler.MEMO", 5)
    assert findings(1) == expected
    assert findings(2) == expected
    assert sum(1 for _, found in expected if found) > 100


def test_json_rendered_in_workers_is_identical(ws: Workspace) -> None:
    import datetime as dt
    import io as _io

    import shelfcheck
    from shelfcheck.i18n import catalogue
    from shelfcheck.reporters.json import report
    from shelfcheck.reporters import ReportOptions

    grey = ws.image(background=(210, 210, 210))
    pool = [ws.image(product=(k * 20, 20, 30)) for k in range(8)]
    rows = [ws.listing(seller_sku=f"J-{i}", title="短" if i % 5 == 0 else "Stackable Storage Box with Lid",
                       main_images="|".join([grey] + [pool[i % 8]] * 2))
            for i in range(700)]
    catalog = write_csv(ws.root / "catalog.csv", rows)
    texts = []
    for jobs in (1, 2):
        run = shelfcheck.prepare(catalog, jobs=jobs, cache=False, as_of=dt.date(2024, 8, 1))
        out = _io.StringIO()
        summary = report(run, out, catalogue("zh"), ReportOptions())
        texts.append(out.getvalue())
        assert summary.listings == 700 and summary.errors > 700
    assert texts[0] == texts[1]
