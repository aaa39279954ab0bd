"""Loading policy packs: built-in names or YAML files, with ``extends:`` resolved.

A user pack names a base with ``extends:`` (a built-in name or a path relative to the pack) and
overrides only what differs; mappings merge key by key, everything else replaces. The result is
validated against :class:`~shelfcheck.policy.schema.Policy`, so an unknown or misspelt key is an
error naming the key and the file.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shelfcheck.errors import PolicyError
from shelfcheck.policy.schema import THRESHOLD_BLOCKS, Policy

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it

__all__ = ["DEFAULT_POLICY", "builtin_policies", "load_policy"]

DEFAULT_POLICY = "tiktok-us-2024-07"


def builtin_policies() -> list[str]:
    """Names of the packs shipped with the package."""
    packs = resources.files("shelfcheck.policy") / "packs"
    return sorted(p.name.removesuffix(".yaml") for p in packs.iterdir() if p.name.endswith(".yaml"))


def load_policy(name_or_path: str | Path | None = None) -> Policy:
    """Load a pack by built-in name or path (default: :data:`DEFAULT_POLICY`).

    Raises:
        PolicyError: unknown name, unreadable file, cyclic ``extends``, unknown key or bad value.
    """
    return _load_cached(str(name_or_path or DEFAULT_POLICY))


@lru_cache(maxsize=16)
def _load_cached(ref: str) -> Policy:
    data, origin = _resolve(ref, base_dir=Path.cwd(), seen=())
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"policy {origin}: {key}: {err['msg']}") from None


def _read(ref: str, base_dir: Path) -> tuple[dict[str, Any], str, Path]:
    if ref in builtin_policies():
        text = (resources.files("shelfcheck.policy") / "packs" / f"{ref}.yaml").read_text("utf-8")
        origin, directory = f"{ref} (built-in)", base_dir
    else:
        path = (base_dir / ref).resolve() if not Path(ref).is_absolute() else Path(ref)
        if not path.is_file():
            known = ", ".join(builtin_policies())
            raise PolicyError(f"no policy named {ref!r}: not a built-in pack ({known}) nor a file")
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"policy {path}: cannot read ({exc.__class__.__name__})") from None
        origin, directory = str(path), path.parent
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy {origin}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise PolicyError(f"policy {origin}: must be a YAML mapping")
    return data, origin, directory


def _resolve(ref: str, base_dir: Path, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    data, origin, directory = _read(ref, base_dir)
    if origin in seen:
        raise PolicyError(f"policy {origin}: extends itself (cycle: {' -> '.join(seen + (origin,))})")
    parent = data.pop("extends", None)
    if parent is None:
        if origin != f"{DEFAULT_POLICY} (built-in)":
            data = _with_default_thresholds(data)
        return data, origin
    if not isinstance(parent, str):
        raise PolicyError(f"policy {origin}: extends must be one pack name or path")
    base, _ = _resolve(parent, directory, seen + (origin,))
    return _merge(base, data), origin


def _with_default_thresholds(data: dict[str, Any]) -> dict[str, Any]:
    """A pack that extends nothing: the threshold blocks it leaves out (or leaves partly out)
    come from the built-in default pack, the one home of the numbers."""
    base, _ = _resolve(DEFAULT_POLICY, base_dir=Path.cwd(), seen=())
    defaults = {block: base[block] for block in THRESHOLD_BLOCKS if isinstance(base.get(block), dict)}
    return _merge(defaults, data)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
