"""The sandbox's outer wall: what a request must satisfy before the emulator looks at it.

A layer of its own, so the emulator's endpoints (and a stricter platform emulator built on them)
never see a hostile request, and every refusal is the platform's envelope and code, never a 500:

* **Body cap** (:class:`BodyCap`, ASGI middleware): a body larger than ``max_body_bytes`` — by
  its ``Content-Length`` or by the bytes that arrive — is refused with ``36009021`` "Invalid file
  size" (HTTP 413) before anything parses it. What is over the cap is read and thrown away (never
  kept) up to ``max_drain_bytes``, so the client, still sending, reads the answer; a longer body
  gets the answer at once and the connection closed.
* **Admin token** (:class:`AdminGate`, ASGI middleware): the test hooks under ``/_sandbox/`` answer
  only a request carrying the local admin token (header ``X-Sandbox-Admin-Token``), printed when
  ``shelfcheck sandbox`` starts; otherwise ``36009004`` "Invalid credentials" (HTTP 401).
* **JSON bodies** (:func:`json_body`): nested deeper than ``max_json_depth``, not JSON, or with
  ``NaN``/``Infinity`` → ``36009004`` "invalid param error" (HTTP 400).
* **Multipart uploads** (:func:`multipart_form`): a ``multipart/form-data`` content type without a
  usable boundary → ``36009023``; a body the multipart parser cannot read → ``36009022`` (HTTP 400).

The numbers come from :class:`shelfcheck.tiktok.limits.RequestLimits` (``SandboxConfig.limits``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from shelfcheck.tiktok.limits import JsonRefused, RequestLimits, declared_length, loads_bounded

__all__ = ["ADMIN_HEADER", "ADMIN_PREFIX", "AdminGate", "BodyCap", "Refusal", "envelope_bytes",
           "json_body", "multipart_form", "new_admin_token"]

ADMIN_HEADER = "x-sandbox-admin-token"
ADMIN_PREFIX = "/_sandbox/"
_BOUNDARY_MAX = 70  # RFC 2046 §5.1.1: 1 to 70 characters

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Refusal(Exception):
    """A request the platform refuses: its ``code``, ``message``, HTTP status and ``data``."""

    def __init__(self, code: int, message: str, http: int = 200, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.http, self.data = code, message, http, data


def new_admin_token() -> str:
    """A fresh local admin token (URL-safe, 32 random bytes)."""
    return secrets.token_urlsafe(32)


def _request_id() -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(9).upper()


def envelope_bytes(code: int, message: str, data: Any = None) -> bytes:
    """The platform's envelope ``{code, message, request_id, data}`` as JSON bytes."""
    return json.dumps({"code": code, "message": message, "request_id": _request_id(), "data": data},
                      ensure_ascii=False).encode("utf-8")


async def _answer(send: Send, status: int, code: int, message: str) -> None:
    body = envelope_bytes(code, message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode("ascii")),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class BodyCap:
    """ASGI middleware: refuse bodies over ``limit`` bytes with the platform's 36009021 (HTTP 413).

    The body is read (up to the cap) before the app runs and handed to it whole, so the app
    never starts on a request it would have to abandon halfway.
    """

    def __init__(self, app: ASGIApp, limit: int, drain: int = 0) -> None:
        self.app, self.limit, self.drain = app, limit, max(drain, limit)

    async def _refuse(self, receive: Receive, send: Send, received: int, declared: int | None) -> None:
        """Answer 413, after discarding the rest of the body when it is not too long to drain."""
        if declared is None or declared <= self.drain:
            while received <= self.drain:
                event = await receive()
                if event["type"] == "http.disconnect":
                    return
                received += len(event.get("body", b""))
                if not event.get("more_body", False):
                    break
        await _answer(send, 413, 36009021, "Invalid file size: the request body exceeds the maximum of "
                                           f"{self.limit} bytes.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(_header(scope, b"content-length"))
        if declared is not None and declared > self.limit:
            await self._refuse(receive, send, 0, declared)
            return
        parts: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                return
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                parts.clear()
                if event.get("more_body", False):
                    await self._refuse(receive, send, size, declared)
                else:
                    await _answer(send, 413, 36009021, "Invalid file size: the request body exceeds the "
                                                       f"maximum of {self.limit} bytes.")
                return
            parts.append(chunk)
            if not event.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(parts), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class AdminGate:
    """ASGI middleware: ``/_sandbox/*`` answers only requests carrying the admin token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("the sandbox admin token must not be empty")
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(ADMIN_PREFIX):
            given = _header(scope, ADMIN_HEADER.encode("ascii")) or ""
            if not secrets.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8")):
                await _answer(send, 401, 36009004, "Invalid credentials: the sandbox control endpoints "
                                                   f"need the admin token in the {ADMIN_HEADER} header.")
                return
        await self.app(scope, receive, send)


def json_body(raw: bytes, limits: RequestLimits) -> Any:
    """The JSON body of a request, within the limits.

    Raises:
        Refusal: 36009004 (HTTP 400) when the body is not JSON, nests too deep or holds NaN.
    """
    try:
        return loads_bounded(raw, limits.max_json_depth)
    except JsonRefused as exc:
        detail = {"too_deep": f"the body nests deeper than {limits.max_json_depth} levels",
                  "not_a_number": "the body holds NaN or Infinity, which are not JSON numbers"}
        raise Refusal(36009004, "invalid param error: " + detail.get(exc.reason, "the body is not valid JSON")
                      + ".", 400) from None


def _boundary(content_type: str) -> str | None:
    from email.message import Message as MimeHeader

    header = MimeHeader()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str):
        return None
    return boundary if 0 < len(boundary) <= _BOUNDARY_MAX else None


async def multipart_form(request: Any, limits: RequestLimits, *, max_fields: int = 16) -> Any:
    """The form of a ``multipart/form-data`` request (the caller checked the media type).

    Raises:
        Refusal: 36009023 when the content type has no usable boundary; 36009022 when the body is
            not readable multipart (both HTTP 400).
    """
    from starlette.exceptions import HTTPException
    from starlette.formparsers import MultiPartException

    if _boundary(request.headers.get("content-type") or "") is None:
        raise Refusal(36009023, "Invalid request format: the content-type multipart/form-data needs a "
                                "boundary parameter of 1 to 70 characters.", 400)
    try:
        return await request.form(max_files=max_fields, max_fields=max_fields,
                                  max_part_size=limits.max_body_bytes)
    except (MultiPartException, HTTPException, ValueError, KeyError, UnicodeError):
        raise Refusal(36009022, "Invalid request format: the multipart/form-data body cannot be read.",
                      400) from None
