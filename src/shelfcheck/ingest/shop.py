"""The shop profile, ``shop.yaml`` (contract §2.3)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from shelfcheck.errors import InputError
from shelfcheck.model import ShopProfile

__all__ = ["load_shop"]


def load_shop(path: str | Path) -> ShopProfile:
    """Read and validate the shop profile.

    Raises:
        InputError: missing file, not YAML, or a value of the wrong type (naming the key).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "shop profile not found")
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(path, "shop profile must be UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(path, f"not valid YAML: {problem}", row=row) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(path, "shop profile must be a YAML mapping (key: value lines)")
    try:
        return ShopProfile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise InputError(path, f"{err['msg']} (got {err.get('input')!r})", column=key) from None
