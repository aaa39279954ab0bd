"""Where a catalogue's image reference points: a local file or a URL (contract §2.1).

The engine, the HTML report, the publisher and the content hash all resolve references the same
way, so they live here, below every one of them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["REMOTE_SCHEMES", "is_remote", "resolve_image_ref"]

REMOTE_SCHEMES = ("http://", "https://")


def is_remote(target: str) -> bool:
    """True when a resolved target is a URL to fetch rather than a file to open."""
    return target.lower().startswith(REMOTE_SCHEMES)


def resolve_image_ref(base_dir: Path, ref: str) -> tuple[str | None, str | None]:
    """Where an image reference points: ``(path, None)``, ``(url, None)`` or ``(None, reason)``."""
    if "\x00" in ref:
        return None, "image_path_invalid"
    lowered = ref.lower()
    if lowered.startswith(REMOTE_SCHEMES):
        return ref, None
    if lowered.startswith("file://"):
        ref = ref[7:]
    elif "://" in ref:
        return None, "image_scheme_unsupported"
    path = Path(ref)
    if not path.is_absolute():
        path = base_dir / path
    if "\\" in ref and not path.exists():
        alt = Path(ref.replace("\\", "/"))
        alt = alt if alt.is_absolute() else base_dir / alt
        if alt.exists():
            path = alt
    return str(path), None
