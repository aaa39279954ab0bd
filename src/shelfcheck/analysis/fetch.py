"""Fetching remote main images (``https://`` URLs in ERP exports), safely and concurrently.

* Only ``http``/``https``. Before each request — and each redirect hop — every address the host
  name resolves to is checked: loopback, private, link-local, multicast, reserved and unspecified
  addresses are refused unless ``allow_private`` is set, so a catalogue cannot make shelfcheck
  probe the seller's own network.
* Bodies are read as a stream and cut at ``max_bytes + 1`` *decoded* bytes: a larger file is
  reported as too large without downloading it all. Nothing is decompressed transparently: the
  request asks for ``identity``, and a server that sends ``gzip`` or ``deflate`` anyway is
  inflated by at most ``max_bytes + 1`` bytes (any other content coding is refused), so a small
  compressed response never becomes a large body in memory. The size reported is the real one
  (``Content-Length`` of an uncompressed response, or the whole body) or, when the download was
  stopped, exactly ``max_bytes + 1`` with ``stopped`` set.
* Deadlines, not only timeouts: each image has ``deadline`` seconds from its first request to
  its last body byte (redirects included), and the whole run ``run_deadline`` seconds, so a
  server that sends one byte a second cannot keep a check waiting; per-read timeouts on top.
* A per-host limit and an overall limit on concurrent requests.

Failures never raise: each URL gets a :class:`Fetched` with the bytes or a reason key.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
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
    stopped: bool = False  # the download was cut at max_bytes + 1: ``size`` is that, not the real size


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


class _Inflater:
    """Decodes a response body as it arrives, never to more than ``limit`` bytes."""

    def __init__(self, coding: str, limit: int) -> None:
        self.limit = limit
        self.coding = coding
        self.identity = coding in ("", "identity")
        if self.identity:
            self._z = None
        elif coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":  # zlib-wrapped as the RFC says, raw deflate as some servers send
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 32)
        else:
            raise ValueError(coding)

    def feed(self, chunk: bytes, room: int) -> bytes:
        """At most ``room`` decoded bytes of ``chunk`` (what is beyond is never inflated)."""
        if self._z is None:
            return chunk[:room]
        return self._z.decompress(chunk, room)  # room ≥ 1: 0 would mean "no limit"


async def _fetch_one(client: httpx.AsyncClient, url: str, *, allow_private: bool, max_bytes: int,
                     host_limits: dict[str, asyncio.Semaphore], overall: asyncio.Semaphore,
                     per_host: int, deadline: float, run_end: float) -> Fetched:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(run_end):
            return await _follow(client, url, allow_private=allow_private, max_bytes=max_bytes,
                                 host_limits=host_limits, overall=overall, per_host=per_host,
                                 deadline=deadline, run_end=run_end)
    except TimeoutError:
        waited = "the run's deadline" if loop.time() >= run_end else "the image's deadline"
        return Fetched(url, reason="image_url_timeout", detail=f"{waited} passed")


async def _follow(client: httpx.AsyncClient, url: str, *, allow_private: bool, max_bytes: int,
                  host_limits: dict[str, asyncio.Semaphore], overall: asyncio.Semaphore,
                  per_host: int, deadline: float, run_end: float) -> Fetched:
    loop = asyncio.get_running_loop()
    image_end: float | None = None
    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        try:
            parts = urlsplit(current)
            host = parts.hostname
        except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
            return Fetched(url, reason="image_url_invalid")
        if parts.scheme not in ("http", "https") or not host:
            return Fetched(url, reason="image_url_invalid")
        if not allow_private:
            try:
                public = await loop.run_in_executor(None, host_is_public, host)
            except (OSError, UnicodeError, ValueError):
                return Fetched(url, reason="image_url_unresolvable")
            if not public:
                return Fetched(url, reason="image_url_private")
        limit = host_limits.setdefault(host, asyncio.Semaphore(per_host))
        async with overall, limit:
            if image_end is None:  # the image's own clock starts with its first request
                image_end = min(loop.time() + deadline, run_end)
            try:
                async with asyncio.timeout_at(image_end):
                    outcome = await _get(client, url, current, max_bytes)
            except TimeoutError:
                if loop.time() >= run_end:
                    raise  # the run's deadline: reported by _fetch_one
                return Fetched(url, reason="image_url_timeout", detail=f"more than {deadline:g} s")
            except httpx.TimeoutException:
                return Fetched(url, reason="image_url_timeout")
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                return Fetched(url, reason="image_url_unreachable", detail=exc.__class__.__name__)
        if isinstance(outcome, Fetched):
            return outcome
        current = outcome  # a redirect
    return Fetched(url, reason="image_url_too_many_redirects")


async def _get(client: httpx.AsyncClient, url: str, current: str, max_bytes: int) -> Fetched | str:
    """One request: the outcome, or the next URL of a redirect."""
    async with client.stream("GET", current) as response:
        if response.is_redirect:
            location = response.headers.get("location")
            if not location:
                return Fetched(url, reason="image_url_http_error", status=response.status_code)
            return urljoin(current, location)
        status = response.status_code
        if status >= 400:
            return Fetched(url, reason="image_url_http_error", status=status)
        coding = response.headers.get("content-encoding", "").strip().lower()
        try:
            inflater = _Inflater(coding, max_bytes + 1)
        except ValueError:
            return Fetched(url, reason="image_url_unreachable", status=status,
                           detail=f"content encoding {coding[:20]!r} not accepted")
        declared = response.headers.get("content-length", "")
        if inflater.identity and declared.isdigit() and len(declared) < 19 and int(declared) > max_bytes:
            return Fetched(url, too_large=True, size=int(declared), status=status)
        body = bytearray()
        try:
            async for chunk in response.aiter_raw():
                body += inflater.feed(chunk, max_bytes + 1 - len(body))
                if len(body) > max_bytes:
                    return Fetched(url, too_large=True, size=max_bytes + 1, status=status, stopped=True)
        except zlib.error:
            return Fetched(url, reason="image_url_unreachable", status=status,
                           detail=f"{coding} body that does not decode")
        return Fetched(url, data=bytes(body), status=status, size=len(body))


async def _fetch_many(urls: list[str], *, allow_private: bool, max_bytes: int, concurrency: int,
                      per_host: int, timeout: float, deadline: float, run_deadline: float) -> list[Fetched]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    overall = asyncio.Semaphore(concurrency)
    host_limits: dict[str, asyncio.Semaphore] = {}
    headers = {"User-Agent": "shelfcheck (listing preflight)", "Accept-Encoding": "identity"}
    run_end = asyncio.get_running_loop().time() + run_deadline
    async with httpx.AsyncClient(follow_redirects=False, limits=limits, timeout=timeouts,
                                 headers=headers, trust_env=False) as client:
        return await asyncio.gather(*(
            _fetch_one(client, u, allow_private=allow_private, max_bytes=max_bytes,
                       host_limits=host_limits, overall=overall, per_host=per_host,
                       deadline=deadline, run_end=run_end)
            for u in urls
        ))


def fetch_all(urls: Iterable[str], *, max_bytes: int, allow_private: bool = False,
              concurrency: int = 16, per_host: int = 4, timeout: float = 20.0, deadline: float = 30.0,
              run_deadline: float = 300.0) -> dict[str, Fetched]:
    """Fetch every URL concurrently; return one :class:`Fetched` per distinct URL.

    ``max_bytes`` is the policy's ``images.max_bytes``: a larger body is cut and marked too large.
    ``timeout`` bounds each read and connect; ``deadline`` each image from its first request to
    its last byte; ``run_deadline`` all of them together (an image still waiting then is
    reported as timed out).
    """
    unique = list(dict.fromkeys(urls))
    if not unique:
        return {}
    job = lambda: asyncio.run(_fetch_many(unique, allow_private=allow_private,  # noqa: E731
                                           max_bytes=max_bytes, concurrency=concurrency,
                                           per_host=per_host, timeout=timeout, deadline=deadline,
                                           run_deadline=run_deadline))
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        results = job()
    else:  # called from async code (a web service): run the fetches on a loop of their own
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            results = pool.submit(job).result()
    return {r.url: r for r in results}
