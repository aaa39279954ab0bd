"""Load test of the sandbox: N signed requests at concurrency C, on loopback, bounded in time.

Starts ``shelfcheck sandbox`` as its own process on 127.0.0.1 (a free port, in-memory state),
uploads three product photos, then sends ``--requests`` requests with ``--concurrency`` in flight
from one asyncio client, cycling through a fixed mix:

  5/10  POST listing_check   a signed Create Product body, audited by the policy (the heavy path)
  3/10  GET  categories      a signed gateway round trip
  1/10  hostile, signed      in turn: a body over the cap (413 / 36009021), JSON nested 100,000
                             deep (400 / 36009004), NaN in the body (400 / 36009004), multipart
                             without a boundary (400 / 36009023)
  1/10  GET  /_sandbox/health without the admin token (401 / 36009004)

Every answer is checked against what that request must get (HTTP status and platform code);
anything else — a 5xx, a wrong code, a transport error, a timeout — counts as an error. Latency
is measured per request from send to full response. The run stops at ``--deadline`` seconds
whatever is left (requests not sent are reported as not sent).

Usage: python bench/sandbox_load.py [--requests 2000] [--concurrency 32] [--out FILE]
Writes bench/results/sandbox_load.json by default and prints a summary.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from shelfcheck.sandbox import (  # noqa: E402
    ADMIN_HEADER,
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_SHOP_CIPHER,
)
from shelfcheck.tiktok.client import ApiClient, Credentials  # noqa: E402
from shelfcheck.tiktok.limits import DEFAULT_MAX_BODY_BYTES  # noqa: E402
from shelfcheck.tiktok.payload import build_product_body  # noqa: E402
from shelfcheck.tiktok.signing import sign_request  # noqa: E402

HOST = "127.0.0.1"  # loopback only, by construction
CHECK = "/product/202309/products/listing_check"
CATEGORIES = "/product/202309/categories"
UPLOAD = "/product/202309/images/upload"
LISTING = {"seller_sku": "LOAD-001", "title": "Stackable Storage Box with Lid, 12 L, Clear", "price": "12.99",
           "quantity": "40", "brand": "Tidyhome", "country_of_origin": "China", "origin_label": "Made in China",
           "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
           "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _photo(shade: int) -> bytes:
    img = Image.new("RGB", (1200, 1200), (255, 255, 255))
    ImageDraw.Draw(img).rectangle([300, 300, 900, 900], fill=(40 + shade, 90, 160))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _start(port: int, token: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SHELFCHECK_SANDBOX_ADMIN_TOKEN=token, PYTHONPATH=str(ROOT / "src"))
    for name in ("SHELFCHECK_APP_KEY", "SHELFCHECK_APP_SECRET", "SHELFCHECK_ACCESS_TOKEN", "SHELFCHECK_SHOP_CIPHER"):
        env.pop(name, None)  # the sandbox's built-in credentials
    proc = subprocess.Popen([sys.executable, "-m", "shelfcheck", "sandbox", "--host", HOST, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/_sandbox/health", headers={ADMIN_HEADER: token},
                         timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the sandbox did not start")


def _product_body(base: str) -> bytes:
    creds = Credentials(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_ACCESS_TOKEN, SANDBOX_SHOP_CIPHER)
    with ApiClient(creds, base_url=base) as client:
        leaf = next(c for c in client.get_categories().categories if c.local_name == "Storage & Organisation")
        ids = {a.name: a.id for a in client.get_attributes(leaf.id).attributes}
        uris = [client.upload_image(_photo(20 * i)).uri for i in range(3)]
    body = build_product_body(LISTING, category_id=leaf.id, image_uris=uris, attribute_ids=ids,
                              certification_ids={})
    return json.dumps(body).encode()


class Request:
    """One kind of request: how to send it and what it must get back."""

    def __init__(self, name: str, method: str, path: str, body: bytes = b"", content_type: str | None = None,
                 *, signed: bool = True, cipher: bool = True, expect: tuple[int, int] = (200, 0)) -> None:
        self.name, self.method, self.path, self.body = name, method, path, body
        self.content_type, self.signed, self.cipher, self.expect = content_type, signed, cipher, expect

    def build(self) -> dict[str, Any]:
        query = {"app_key": SANDBOX_APP_KEY, "timestamp": str(int(time.time()))}
        headers = {"x-tts-access-token": SANDBOX_ACCESS_TOKEN}
        if self.cipher:
            query["shop_cipher"] = SANDBOX_SHOP_CIPHER
        if self.content_type:
            headers["content-type"] = self.content_type
        if self.signed:
            signed_body = b"" if (self.content_type or "").startswith("multipart/") else self.body
            query["sign"] = sign_request(SANDBOX_APP_SECRET, self.path, query, signed_body, self.content_type).sign
        else:
            query, headers = {}, {}
        return {"method": self.method, "url": self.path, "params": query, "headers": headers,
                "content": self.body or None}


def _mix(product: bytes) -> list[Request]:
    json_type = "application/json"
    check = Request("listing_check", "POST", CHECK, product, json_type)
    cats = Request("categories", "GET", CATEGORIES)
    hostile = [
        Request("oversize_body", "POST", CHECK, b" " * (DEFAULT_MAX_BODY_BYTES + 1), json_type, expect=(413, 36009021)),
        Request("deep_json", "POST", CHECK, b"[" * 100_000 + b"]" * 100_000, json_type, expect=(400, 36009004)),
        Request("nan_json", "POST", CHECK, b'{"title": NaN}', json_type, expect=(400, 36009004)),
        Request("no_boundary", "POST", UPLOAD, b"--x\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data",
                cipher=False, expect=(400, 36009023)),
    ]
    admin = Request("admin_without_token", "GET", "/_sandbox/health", signed=False, expect=(401, 36009004))
    cycle: list[Request] = []
    for i in range(len(hostile)):
        cycle += [check] * 5 + [cats] * 3 + [hostile[i], admin]
    return cycle


async def _load(base: str, mix: list[Request], total: int, concurrency: int, timeout: float,
                deadline: float) -> tuple[list[tuple[str, float, str]], int, float]:
    """``([(kind, seconds, outcome)], not_sent, wall seconds)``; outcome ``ok`` or what went wrong."""
    results: list[tuple[str, float, str]] = []
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(mix[i % len(mix)])
    stop_at = time.monotonic() + deadline
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty() and time.monotonic() < stop_at:
            req = queue.get_nowait()
            started = time.perf_counter()
            try:
                res = await client.request(**req.build())
                elapsed = time.perf_counter() - started
                try:
                    code = res.json().get("code")
                except ValueError:
                    code = None
                outcome = "ok" if (res.status_code, code) == req.expect else f"http {res.status_code} code {code}"
            except httpx.HTTPError as exc:
                elapsed = time.perf_counter() - started
                outcome = type(exc).__name__
            results.append((req.name, elapsed, outcome))

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return results, queue.qsize(), time.perf_counter() - started


def _quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[max(0, min(998, round(q * 1000) - 1))]


def _stats(rows: list[tuple[str, float, str]]) -> dict[str, Any]:
    times = sorted(t for _, t, _ in rows)
    errors = Counter(o for _, _, o in rows if o != "ok")
    return {"requests": len(rows), "errors": sum(errors.values()), "error_kinds": dict(errors),
            "p50_ms": round(1000 * _quantile(times, 0.50), 1), "p99_ms": round(1000 * _quantile(times, 0.99), 1),
            "max_ms": round(1000 * times[-1], 1)} if rows else {"requests": 0, "errors": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for the whole load")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "sandbox_load.json")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 512:
        raise SystemExit("--requests 1..100000 and --concurrency 1..512")
    port, token = _free_port(), secrets.token_urlsafe(24)
    base = f"http://{HOST}:{port}"
    proc = _start(port, token)
    try:
        mix = _mix(_product_body(base))
        rows, not_sent, wall = asyncio.run(_load(base, mix, args.requests, args.concurrency, args.timeout,
                                                 args.deadline))
        alive = proc.poll() is None
        health = httpx.get(base + "/_sandbox/health", headers={ADMIN_HEADER: token}, timeout=5).status_code
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    kinds = sorted({k for k, _, _ in rows})
    report = {
        "date": dt.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "requests": args.requests, "concurrency": args.concurrency, "sent": len(rows), "not_sent": not_sent,
        "seconds": round(wall, 2), "requests_per_second": round(len(rows) / wall, 1) if wall else None,
        "sandbox_alive_after": alive and health == 200,
        "all": _stats(rows),
        "by_kind": {k: _stats([r for r in rows if r[0] == k]) for k in kinds},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    summary = report["all"]
    print(f"{len(rows)} requests at concurrency {args.concurrency} in {wall:.1f} s "
          f"({report['requests_per_second']}/s): {summary['errors']} errors, p50 {summary['p50_ms']} ms, "
          f"p99 {summary['p99_ms']} ms; not sent {not_sent}; sandbox alive after: {report['sandbox_alive_after']}")
    for kind in kinds:
        s = report["by_kind"][kind]
        print(f"  {kind:<22} {s['requests']:>5}  errors {s['errors']:>3}  p50 {s['p50_ms']:>8} ms  "
              f"p99 {s['p99_ms']:>8} ms")
    print(f"written to {args.out}")
    if summary["errors"] or not_sent or not report["sandbox_alive_after"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
