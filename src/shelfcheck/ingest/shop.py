"""The shop profile, ``shop.yaml`` (contract §2.3)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shelfcheck.errors import InputError, Msg
from shelfcheck.ingest.limits import limits
from shelfcheck.ingest.table import escape_text
from shelfcheck.model import ShopProfile

__all__ = ["load_shop"]

_BAD = re.compile("[\\x00\\ud800-\\udfff]")


def load_shop(path: str | Path) -> ShopProfile:
    """Read and validate the shop profile.

    Raises:
        InputError: missing file, not YAML, or a value of the wrong type (naming the key).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, Msg("shop_not_found"))
    most = limits().shop_bytes
    if path.stat().st_size > most:
        raise InputError(path, Msg("shop_too_large", limit=most))
    import yaml

    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        row = exc.object[:exc.start].count(b"\n") + 1
        raise InputError(path, Msg("shop_not_utf8"), row=row) from None
    except RecursionError:
        raise InputError(path, Msg("shop_too_deep")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None)
        message = Msg("yaml_invalid_because", problem=problem) if problem else Msg("yaml_invalid")
        raise InputError(path, message, row=row) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(path, Msg("shop_not_mapping"))
    try:
        data = _clean(data)
    except RecursionError:
        raise InputError(path, Msg("shop_too_deep")) from None
    try:
        return ShopProfile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        got = escape_text(repr(err.get("input")), from_bytes=False)[0]
        raise InputError(path, Msg("shop_bad_value", problem=err["msg"], got=got[:80]), column=key) from None
    except RecursionError:
        raise InputError(path, Msg("shop_too_deep")) from None


def _clean(value: Any) -> Any:
    """``value`` with NULs and lone surrogates (a YAML ``"\\ud800"`` escape) escaped in every
    string, so no report is ever asked to write them."""
    if isinstance(value, str):
        return escape_text(value, from_bytes=False)[0] if _BAD.search(value) else value
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
