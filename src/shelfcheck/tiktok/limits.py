"""Bounded reading of what arrives over HTTP: body size, JSON nesting, numbers that are numbers.

Shared by the sandbox (:mod:`shelfcheck.sandbox.guard`) and the webhook receiver
(:mod:`shelfcheck.tiktok.webhooks`): a request is refused before it is parsed when it is larger
than the cap, and a JSON body is refused before ``json`` recurses into it when it nests deeper
than the limit — so a hostile body costs at most a linear scan of capped bytes, never a
``RecursionError`` or gigabytes of memory. ``NaN`` and ``Infinity`` are not JSON and are refused.

The numbers are configuration (:class:`RequestLimits`), with the defaults below.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_DRAIN_BYTES", "DEFAULT_MAX_JSON_DEPTH",
           "BodyTooLarge", "JsonRefused", "RequestLimits", "declared_length", "integer_in_range",
           "json_depth", "loads_bounded", "read_capped"]

# The largest call the emulated endpoints take is a certificate upload: a PDF of up to 20 MB
# (Upload Product File, Open API 2026) plus the multipart framing.
DEFAULT_MAX_BODY_BYTES = 22 * 1024 * 1024
# A body over the cap is still read, and thrown away, up to this many bytes before the refusal is
# sent, so that a client busy sending it reads the answer instead of a reset connection; a longer
# one is answered and cut off at once.
DEFAULT_MAX_DRAIN_BYTES = 128 * 1024 * 1024
# Product bodies nest about 6 deep (skus → inventory → warehouse); 32 leaves room for any
# legitimate call and stays far below Python's recursion limit.
DEFAULT_MAX_JSON_DEPTH = 32


@dataclass(frozen=True)
class RequestLimits:
    """How much a request may carry: ``max_body_bytes`` of body, ``max_json_depth`` of nesting;
    ``max_drain_bytes``: how much of a body over the cap is read and discarded before refusing."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    max_drain_bytes: int = DEFAULT_MAX_DRAIN_BYTES


class BodyTooLarge(Exception):
    """The body is (or says it is) larger than ``limit`` bytes."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit, self.size = limit, size


class JsonRefused(ValueError):
    """The body is not JSON within the limits; ``reason`` is ``invalid``, ``too_deep`` or
    ``not_a_number`` (``NaN``/``Infinity``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def declared_length(value: str | None) -> int | None:
    """The ``Content-Length`` header as a number (``None`` when absent or not a number)."""
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


async def read_capped(chunks: AsyncIterator[bytes], limit: int, declared: int | None = None) -> bytes:
    """Read a body from ``chunks``, refusing it as soon as it exceeds ``limit`` bytes.

    Raises:
        BodyTooLarge: the declared length or the bytes received exceed the limit.
    """
    if declared is not None and declared > limit:
        raise BodyTooLarge(limit, declared)
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit, size)
        parts.append(chunk)
    return b"".join(parts)


# A JSON string, skipped whole (brackets inside it do not nest).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_CHUNK = 1 << 20


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw``: strings removed, then a running sum
    of ``+1`` per ``[``/``{`` and ``-1`` per ``]``/``}`` — linear, at C speed, in 1 MB chunks."""
    import numpy as np

    steps = np.zeros(256, dtype=np.int32)
    steps[[ord("["), ord("{")]] = 1
    steps[[ord("]"), ord("}")]] = -1
    text = _STRING.sub(b"", raw)
    depth = deepest = 0
    for start in range(0, len(text), _CHUNK):
        chunk = steps[np.frombuffer(text, dtype=np.uint8, count=min(_CHUNK, len(text) - start),
                                    offset=start)]
        running = np.cumsum(chunk, dtype=np.int64) + depth
        if running.size:
            deepest = max(deepest, int(running.max()))
            depth = int(running[-1])
    return deepest


def _no_constant(name: str) -> Any:
    raise JsonRefused("not_a_number", f"{name} is not a JSON number")


def loads_bounded(raw: bytes | str, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` and ``NaN``/``Infinity``.

    Raises:
        JsonRefused: not JSON, too deep, or a non-finite number.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if json_depth(data) > max_depth:
        raise JsonRefused("too_deep", f"the JSON nests deeper than {max_depth} levels")
    try:
        return json.loads(data, parse_constant=_no_constant)
    except JsonRefused:
        raise
    except RecursionError:  # pragma: no cover - the depth scan stops this first
        raise JsonRefused("too_deep", f"the JSON nests deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise JsonRefused("invalid", f"not valid JSON: {exc}") from None


def integer_in_range(value: Any, low: int, high: int) -> int | None:
    """``value`` as an integer when it is a finite whole JSON number within ``[low, high]``;
    ``None`` otherwise (booleans, strings, fractions, ``1e20``, ``-1e18`` …)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if low <= value <= high else None
