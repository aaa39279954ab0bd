"""Fetching remote main images (``https://`` URLs in ERP exports), safely and concurrently.

* Only ``http``/``https``. Before each request — and each redirect hop — every address the host
  name resolves to is checked: loopback, private, link-local, multicast, reserved and unspecified
  addresses are refused unless ``allow_private`` is set, so a catalogue cannot make shelfcheck
  probe the seller's own network.
* Bodies are read as a stream and cut at ``max_bytes + 1``: a larger file is reported as too
  large without downloading it all.
* A per-host limit and an overall limit on concurrent requests; connect/read timeouts.

Failures never raise: each URL gets a :class:`Fetched` with the bytes or a reason key.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

__all__ = ["Fetched", "fetch_all", "host_is_public"]

_MAX_REDIRECTS = 5


@dataclass(slots=True)
class Fetched:
    """The outcome of fetching one URL."""

    url: str
    data: bytes | None = None
    reason: str | None = None
    status: int | None = None
    too_large: bool = False
    size: int | None = None
    detail: str | None = None


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def host_is_public(host: str) -> bool:
    """True when every address ``host`` resolves to is a public unicast address."""
    addresses = _addresses(host)
    return bool(addresses) and all(
        not (a.is_private or a.is_loopback or a.is_link_local or a.is_multicast or a.is_reserved
             or a.is_unspecified or (a.version == 6 and a.ipv4_mapped is not None
                                     and not host_is_public(str(a.ipv4_mapped))))
        for a in addresses
    )


async def _fetch_one(client: httpx.AsyncClient, url: str, *, allow_private: bool, max_bytes: int,
                     host_limits: dict[str, asyncio.Semaphore], overall: asyncio.Semaphore,
                     per_host: int) -> Fetched:
    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Fetched(url, reason="image_url_invalid")
        host = parts.hostname
        if not allow_private:
            try:
                public = await asyncio.get_running_loop().run_in_executor(None, host_is_public, host)
            except (OSError, UnicodeError, ValueError):
                return Fetched(url, reason="image_url_unresolvable")
            if not public:
                return Fetched(url, reason="image_url_private")
        limit = host_limits.setdefault(host, asyncio.Semaphore(per_host))
        async with overall, limit:
            try:
                async with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            return Fetched(url, reason="image_url_http_error", status=response.status_code)
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        return Fetched(url, reason="image_url_http_error", status=response.status_code)
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        return Fetched(url, too_large=True, size=int(declared), status=response.status_code)
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            return Fetched(url, too_large=True, size=len(body), status=response.status_code)
                    return Fetched(url, data=bytes(body), status=response.status_code, size=len(body))
            except httpx.TimeoutException:
                return Fetched(url, reason="image_url_timeout")
            except httpx.HTTPError as exc:
                return Fetched(url, reason="image_url_unreachable", detail=exc.__class__.__name__)
    return Fetched(url, reason="image_url_too_many_redirects")


async def _fetch_many(urls: list[str], *, allow_private: bool, max_bytes: int, concurrency: int,
                      per_host: int, timeout: float) -> list[Fetched]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    overall = asyncio.Semaphore(concurrency)
    host_limits: dict[str, asyncio.Semaphore] = {}
    headers = {"User-Agent": "shelfcheck (listing preflight)"}
    async with httpx.AsyncClient(follow_redirects=False, limits=limits, timeout=timeouts,
                                 headers=headers, trust_env=False) as client:
        return await asyncio.gather(*(
            _fetch_one(client, u, allow_private=allow_private, max_bytes=max_bytes,
                       host_limits=host_limits, overall=overall, per_host=per_host)
            for u in urls
        ))


def fetch_all(urls: Iterable[str], *, max_bytes: int, allow_private: bool = False,
              concurrency: int = 16, per_host: int = 4, timeout: float = 20.0) -> dict[str, Fetched]:
    """Fetch every URL concurrently; return one :class:`Fetched` per distinct URL.

    ``max_bytes`` is the policy's ``images.max_bytes``: a larger body is cut and marked too large.
    """
    unique = list(dict.fromkeys(urls))
    if not unique:
        return {}
    job = lambda: asyncio.run(_fetch_many(unique, allow_private=allow_private,  # noqa: E731
                                           max_bytes=max_bytes, concurrency=concurrency,
                                           per_host=per_host, timeout=timeout))
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        results = job()
    else:  # called from async code (a web service): run the fetches on a loop of their own
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            results = pool.submit(job).result()
    return {r.url: r for r in results}
