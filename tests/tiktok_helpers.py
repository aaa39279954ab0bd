"""Helpers for the Open API tests: run the sandbox on a free loopback port in a thread."""

from __future__ import annotations

import contextlib
import csv
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn

from shelfcheck.sandbox import ADMIN_HEADER, SandboxConfig, create_app


#: the Create Product fields a catalogue row needs beyond the seed's columns (description, package),
#: as a seller's file writes them; merged under a test's own values.
COMPLETE_RECORD = {
    "description": "Sturdy everyday product. Wipe clean with a damp cloth. Ships in a recyclable carton.",
    "package_weight": "0.8 kg", "package_length": "30 cm", "package_width": "20 cm", "package_height": "12 cm",
}


def complete_catalog(source: Path, folder: Path) -> Path:
    """``source`` written into ``folder`` with the :data:`COMPLETE_RECORD` columns it lacks (the
    images folder copied beside it), so its rows carry what Create Product requires."""
    with open(source, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0]) + [k for k in COMPLETE_RECORD if k not in rows[0]]
    target = folder / source.name
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({**{k: v for k, v in COMPLETE_RECORD.items() if k not in row}, **row})
    images = folder / "images"
    if not images.exists():  # copied: an image reference never follows a link out of its folder
        shutil.copytree(source.parent / "images", images)
    return target


def admin_headers(sandbox: object) -> dict[str, str]:
    """The header that opens the sandbox's ``/_sandbox/*`` test hooks."""
    return {ADMIN_HEADER: sandbox.config.admin_token}  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_sandbox(config: SandboxConfig | None = None) -> Iterator[tuple[str, object]]:
    """``(base_url, Sandbox)`` of a sandbox served by uvicorn in a thread; stopped on exit."""
    app = create_app(config or SandboxConfig())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(base + "/_sandbox/health", timeout=1,
                         headers=admin_headers(app.state.sandbox)).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.05)
    try:
        yield base, app.state.sandbox
    finally:
        server.should_exit = True
        thread.join(timeout=10)
