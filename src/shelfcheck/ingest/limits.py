"""How much of an input file is read: the limits that keep every run bounded in time and memory.

The numbers are data (``limits.yaml`` beside this module, documented in contract §2.7); a
deployment may point ``SHELFCHECK_LIMITS`` at a YAML file of its own with the same keys (the
keys it leaves out keep their defaults).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from shelfcheck.copies import package_yaml
from shelfcheck.errors import InputError, Msg

__all__ = ["Limits", "limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """The input limits (see ``limits.yaml`` for what each one bounds and why)."""

    cell_chars: int
    refs_per_cell: int
    number_chars: int
    json_depth: int
    rows: int
    columns: int
    xlsx_unzipped_bytes: int
    shop_bytes: int
    image_fetch_seconds: int
    fetch_run_seconds: int


def _parse(text: str, origin: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputError(origin, Msg("limits_not_yaml")) from None


def _read(data: Any, origin: str) -> dict[str, int]:
    data = data or {}
    if not isinstance(data, dict):
        raise InputError(origin, Msg("limits_not_mapping"))
    known = {f.name for f in fields(Limits)}
    for key, value in data.items():
        if key not in known:
            raise InputError(origin, Msg("limits_unknown_key", key=key, known=", ".join(sorted(known))))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InputError(origin, Msg("limits_bad_value", key=key, value=value))
    return data


@lru_cache(maxsize=4)
def _load(override: str | None) -> Limits:
    base = _read(package_yaml(resources.files("shelfcheck.ingest").joinpath("limits.yaml"), "ingest-limits"),
                 "limits.yaml")
    if override:
        path = Path(override)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, Msg("limits_unreadable", error=exc.__class__.__name__)) from None
        base.update(_read(_parse(text, str(path)), str(path)))
    return Limits(**base)


def limits() -> Limits:
    """The limits in force: the packaged defaults, overridden by ``SHELFCHECK_LIMITS`` if set."""
    return _load(os.environ.get("SHELFCHECK_LIMITS") or None)
