"""Loading policy packs: built-in names or YAML files, with ``extends:`` resolved.

A user pack names a base with ``extends:`` (a built-in name or a path relative to the pack) and
overrides only what differs; mappings merge key by key, everything else replaces. The result is
validated against :class:`~shelfcheck.policy.schema.Policy`, so an unknown or misspelt key is an
error naming the key and the file.

A validated pack is kept as a JSON copy in the user cache folder (:mod:`shelfcheck.copies`), used
while the pack's files (every one ``extends:`` reached) and this package's schema and loader are
unchanged: the pack is then built from the copy without parsing YAML or building validators, which
every ``check`` would otherwise pay for at start-up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import types
import typing
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shelfcheck.copies import copy_path, file_stamps, read_copy, write_copy
from shelfcheck.errors import Join, Msg, PolicyError
from shelfcheck.policy import schema
from shelfcheck.policy.schema import THRESHOLD_BLOCKS, Policy

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
    builtin = ref in builtin_policies()
    key = hashlib.sha256(f"{ref}\0{'' if builtin else Path.cwd()}".encode()).hexdigest()[:20]
    copy = copy_path(f"policy-{key}")
    kept = read_copy(copy, _COPY_VERSION)
    if isinstance(kept, dict):
        try:
            return _construct(Policy, kept)
        except (TypeError, ValueError, KeyError, AttributeError):
            pass  # a copy this code cannot read back: validate the files again
    files: list[Any] = [schema.__file__, __file__]
    data, origin = _resolve(ref, base_dir=Path.cwd(), seen=(), files=files)
    from pydantic import ValidationError

    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise PolicyError(Msg("policy_bad_value", origin=_shown(origin), where=where, problem=err["msg"])) from None
    _keep(copy, file_stamps(files), policy)
    return policy


# Bump when the copy's layout changes (the schema and this loader are among the copy's files).
_COPY_VERSION = 1


def _keep(copy: Path | None, stamps: list[list[Any]] | None, policy: Policy) -> None:
    """Keep the validated pack as JSON, only if it reads back as the very same pack."""
    try:
        dumped = policy.model_dump(mode="json")
        if _construct(Policy, dumped) != policy:
            return
    except (TypeError, ValueError, KeyError, AttributeError):
        return
    write_copy(copy, _COPY_VERSION, stamps, dumped)


def _construct(tp: Any, value: Any) -> Any:
    """``value`` (a validated pack's JSON dump) rebuilt as the annotation ``tp`` says, without
    validating (it was validated when it was dumped). Raises ``TypeError`` on a shape it cannot
    rebuild exactly, so the caller validates the files instead."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        fields = tp.model_fields
        if not isinstance(value, dict) or set(value) != set(fields):
            raise TypeError(f"{tp.__name__}: fields differ")
        return tp.model_construct(**{name: _construct(fields[name].annotation, v) for name, v in value.items()})
    origin = typing.get_origin(tp)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) != 2 or args[1] is not Ellipsis or not isinstance(value, list):
            raise TypeError(f"unsupported tuple {tp!r}")
        return tuple(_construct(args[0], item) for item in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"not a mapping for {tp!r}")
        item_type = typing.get_args(tp)[1]
        return {k: _construct(item_type, v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {tp!r}")
        return _construct(inner[0], value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if tp is Decimal:
        return Decimal(value)
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if tp in (str, int, bool) and type(value) is tp:
        return value
    if origin is typing.Literal and value in typing.get_args(tp):
        return value
    raise TypeError(f"cannot rebuild {value!r} as {tp!r}")


def _read(ref: str, base_dir: Path, files: list[Any]) -> tuple[dict[str, Any], str, Path]:
    import yaml

    if ref in builtin_policies():
        item = resources.files("shelfcheck.policy") / "packs" / f"{ref}.yaml"
        text = item.read_text("utf-8")
        files.append(item)
        origin, directory = f"{ref}{_BUILTIN}", base_dir
    else:
        path = (base_dir / ref).resolve() if not Path(ref).is_absolute() else Path(ref)
        if not path.is_file():
            known = ", ".join(builtin_policies())
            raise PolicyError(Msg("policy_unknown", ref=ref, known=known))
        try:
            text = path.read_text("utf-8")
            files.append(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(Msg("policy_unreadable", origin=path, error=exc.__class__.__name__)) from None
        origin, directory = str(path), path.parent
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when there
    except yaml.YAMLError as exc:
        raise PolicyError(Msg("policy_not_yaml", origin=_shown(origin), problem=getattr(exc, "problem", exc))) from None
    if not isinstance(data, dict):
        raise PolicyError(Msg("policy_not_mapping", origin=_shown(origin)))
    return data, origin, directory


# A built-in pack's origin is its name and this; a file's, its path.
_BUILTIN = " (built-in)"


def _shown(origin: str) -> Msg | str:
    """An origin as a message shows it: a built-in pack's in the message's language."""
    if origin.endswith(_BUILTIN):
        return Msg("policy_builtin", name=origin[: -len(_BUILTIN)])
    return origin


def _resolve(ref: str, base_dir: Path, seen: tuple[str, ...],
             files: list[Any]) -> tuple[dict[str, Any], str]:
    """The pack's merged data and its origin; ``files`` collects every file read."""
    data, origin, directory = _read(ref, base_dir, files)
    if origin in seen:
        cycle = Join("arrow", [_shown(o) for o in (*seen, origin)])
        raise PolicyError(Msg("policy_cycle", origin=_shown(origin), cycle=cycle))
    parent = data.pop("extends", None)
    if parent is None:
        if origin != f"{DEFAULT_POLICY}{_BUILTIN}":
            data = _with_default_thresholds(data, files)
        return data, origin
    if not isinstance(parent, str):
        raise PolicyError(Msg("policy_bad_extends", origin=_shown(origin)))
    base, _ = _resolve(parent, directory, seen + (origin,), files)
    return _merge(base, data), origin


def _with_default_thresholds(data: dict[str, Any], files: list[Any]) -> dict[str, Any]:
    """A pack that extends nothing: the threshold blocks it leaves out (or leaves partly out)
    come from the built-in default pack, the one home of the numbers."""
    base, _ = _resolve(DEFAULT_POLICY, base_dir=Path.cwd(), seen=(), files=files)
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
