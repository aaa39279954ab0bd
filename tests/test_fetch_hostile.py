"""Remote images from hostile servers on 127.0.0.1: deadlines, and no decompression past the cap."""

from __future__ import annotations

import gzip
import io
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from shelfcheck.policy import load_policy
from shelfcheck.analysis.fetch import fetch_all

CAP = 5 * 1024 * 1024

CAP = load_policy().images.max_bytes  # the pack's image size limit


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 255, 255)).save(buf, "PNG")
    return buf.getvalue()


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stop = threading.Event()
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB inflated, ~64 KB sent

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/slow.png":  # one byte a second, for ever (until the test ends)
            self.send_response(200)
            self.send_header("Content-Length", str(1_000_000))
            self.end_headers()
            while not self.stop.is_set():
                try:
                    self.wfile.write(b"\x89")
                    self.wfile.flush()
                except OSError:
                    return
                self.stop.wait(1.0)
            return
        if path == "/bomb.png":
            self._send(self.bomb, {"Content-Encoding": "gzip"})
        elif path == "/small-gzip.png":
            self._send(gzip.compress(_png()), {"Content-Encoding": "gzip"})
        elif path == "/deflate.png":
            self._send(zlib.compress(_png()), {"Content-Encoding": "deflate"})
        elif path == "/brotli.png":
            self._send(b"\x0b\x02\x80hello\x03", {"Content-Encoding": "br"})
        elif path == "/declared-big.png":  # says 9 MB up front: refused before any body byte
            self.send_response(200)
            self.send_header("Content-Length", str(9 * 1024 * 1024))
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/plain.png":
            self._send(_png(), {})
        else:
            self._send(b"", {}, status=404)

    def _send(self, body: bytes, headers: dict[str, str], status: int = 200) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[str]:
    _Hostile.stop.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Hostile.stop.set()
    httpd.shutdown()
    httpd.server_close()


def test_a_slow_server_is_cut_at_the_image_deadline(hostile: str) -> None:
    started = time.monotonic()
    got = fetch_all([f"{hostile}/slow.png", f"{hostile}/plain.png"], allow_private=True, max_bytes=CAP,
                    deadline=2.0, run_deadline=60.0, timeout=20.0)
    elapsed = time.monotonic() - started
    slow = got[f"{hostile}/slow.png"]
    assert slow.reason == "image_url_timeout" and slow.data is None
    assert "2 s" in (slow.detail or "")
    assert got[f"{hostile}/plain.png"].data == _png()  # the other image is not held up
    assert elapsed < 15, elapsed  # one byte a second never resets the deadline (read timeout is 20 s)


def test_the_run_deadline_bounds_every_image_together(hostile: str) -> None:
    urls = [f"{hostile}/slow.png?{i}" for i in range(3)]
    started = time.monotonic()
    got = fetch_all(urls, allow_private=True, max_bytes=CAP, deadline=60.0, run_deadline=2.0, per_host=1)
    assert time.monotonic() - started < 15
    assert {g.reason for g in got.values()} == {"image_url_timeout"}
    assert all("run" in (g.detail or "") for g in got.values())


def test_a_gzip_bomb_is_inflated_no_further_than_the_cap(hostile: str) -> None:
    import tracemalloc

    tracemalloc.start()
    got = fetch_all([f"{hostile}/bomb.png"], allow_private=True, max_bytes=CAP)[f"{hostile}/bomb.png"]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert got.too_large and got.stopped and got.data is None
    assert got.size == CAP + 1  # the capped size, said to be capped: not a made-up number
    assert peak < 4 * CAP, peak  # never the 64 MB the body inflates to


def test_compressed_images_within_the_cap_are_decoded(hostile: str) -> None:
    got = fetch_all([f"{hostile}/small-gzip.png", f"{hostile}/deflate.png", f"{hostile}/plain.png"],
                    allow_private=True, max_bytes=CAP)
    for name in ("small-gzip.png", "deflate.png", "plain.png"):
        item = got[f"{hostile}/{name}"]
        assert item.data == _png() and item.size == len(_png()) and not item.stopped


def test_unknown_codings_declared_sizes_and_loops(hostile: str) -> None:
    got = fetch_all([f"{hostile}/brotli.png", f"{hostile}/declared-big.png", f"{hostile}/loop",
                     "http://[::1"], allow_private=True, max_bytes=CAP)
    brotli = got[f"{hostile}/brotli.png"]
    assert brotli.reason == "image_url_unreachable" and "br" in (brotli.detail or "")
    big = got[f"{hostile}/declared-big.png"]
    assert big.too_large and big.size == 9 * 1024 * 1024 and not big.stopped  # the real size
    assert got[f"{hostile}/loop"].reason == "image_url_too_many_redirects"
    assert got["http://[::1"].reason == "image_url_invalid"


def test_check_reports_the_capped_size_of_a_bomb(hostile: str, tmp_path) -> None:
    import shelfcheck
    from helpers import write_csv

    refs = f"{hostile}/bomb.png|{hostile}/declared-big.png|{hostile}/plain.png"
    catalog = write_csv(tmp_path / "catalog.csv", [{"seller_sku": "R-1", "title": "Remote image listing",
                                                    "main_images": refs}])
    report = shelfcheck.check(catalog, allow_private_urls=True, jobs=1, cache=False)
    large = {f.field: f.evidence for f in report.listings[0].findings if f.code == "image_file_too_large"}
    assert large["main_images[0]"]["size_bytes"] == CAP + 1
    assert large["main_images[0]"]["download_stopped_at"] == CAP + 1
    assert large["main_images[1]"]["size_bytes"] == 9 * 1024 * 1024
    assert "download_stopped_at" not in large["main_images[1]"]
