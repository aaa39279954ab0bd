"""JSON copies of parsed package data, kept in the user cache folder between commands.

Parsing YAML (the message catalogues) or validating a policy pack costs every command that
reports more than reading back a JSON copy of the result. A copy names the files it was made
from with their size and modification time, and is used only while every one of them is
unchanged, and only when it was made at least :data:`RACY_NS` after the newest of them (an edit
within the same timestamp tick cannot hide, as in git's index). Anything else — no cache folder,
a file that cannot be stat'ed (a zipped install), a corrupt or foreign copy — is a miss, and the
caller parses the files again.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["RACY_NS", "copy_path", "file_stamps", "load_yaml", "package_yaml", "parsed_yaml", "read_copy",
           "write_copy"]

RACY_NS = 2_000_000_000


def copy_path(name: str) -> Path | None:
    """``$SHELFCHECK_CACHE_DIR/<name>.json``, else in the user cache folder (``None``: no folder)."""
    folder = os.environ.get("SHELFCHECK_CACHE_DIR")
    if not folder:
        try:
            from platformdirs import user_cache_dir
        except ImportError:  # pragma: no cover - a dependency
            return None
        folder = user_cache_dir("shelfcheck")
    return Path(folder) / f"{name}.json"


def file_stamps(files: list[Any]) -> list[list[Any]] | None:
    """``[name, size, mtime_ns]`` of each file, or ``None`` when one is not a plain file."""
    try:
        return [[str(item), st.st_size, st.st_mtime_ns] for item, st in ((i, os.stat(i)) for i in files)]
    except (OSError, TypeError, ValueError):
        return None


def read_copy(path: Path | None, version: int, stamps: list[list[Any]] | None = None) -> Any | None:
    """The data of the copy at ``path`` if it is current, else ``None``.

    ``stamps`` (from :func:`file_stamps`) are the files the caller would parse: the copy must
    name exactly these. Without them, the files the copy names are stat'ed now.
    """
    if path is None:
        return None
    try:
        kept = json.loads(path.read_text("utf-8"))
        if kept["version"] != version:
            return None
        files = kept["files"]
        current = stamps if stamps is not None else file_stamps([name for name, _, _ in files])
        newest = max((mtime for _, _, mtime in files), default=0)
        if current is None or files != current or newest >= kept["made_ns"] - RACY_NS:
            return None
        return kept["data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_copy(path: Path | None, version: int, stamps: list[list[Any]] | None, data: Any) -> None:
    """Write the copy atomically; data JSON cannot hold exactly is simply not kept."""
    if path is None or stamps is None:
        return
    payload = {"version": version, "files": stamps, "made_ns": time.time_ns(), "data": data}
    try:
        text = json.dumps(payload, ensure_ascii=False)
        if json.loads(text)["data"] != data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass


# Bump when what :func:`package_yaml` keeps changes shape.
_YAML_VERSION = 1


def load_yaml(text: str) -> Any:
    """YAML text parsed with the safe loader (libyaml's when the wheel has it); PyYAML is loaded
    on the first call."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def parsed_yaml(items: list[Any], name: str, version: int = _YAML_VERSION) -> list[Any]:
    """YAML files of the package (paths or ``importlib.resources`` files), each parsed — from
    their one JSON copy ``name`` while every file is unchanged, so a command does not load PyYAML
    for them. Files that are not plain (a zipped install), and data JSON cannot hold exactly
    (dates, non-string keys), are parsed every time."""
    stamps = file_stamps(items)
    copy = copy_path(name) if stamps is not None else None
    kept = read_copy(copy, version, stamps)
    if isinstance(kept, list) and len(kept) == len(items):
        return kept
    data = [load_yaml(item.read_text("utf-8")) for item in items]
    write_copy(copy, version, stamps, data)
    return data


def package_yaml(item: Any, name: str) -> Any:
    """One YAML file of the package, parsed (see :func:`parsed_yaml`)."""
    return parsed_yaml([item], name)[0]
