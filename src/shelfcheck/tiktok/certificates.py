"""Certificate files as Upload Product File takes them: one PDF, at most the pack's size.

Create Product's ``certifications[].files`` name files uploaded with ``files/upload``, which takes
PDF only (2026: ≤ 20 MB, ``create_product.file_max_bytes`` in the pack). A compliance document's
file is sent as it is when it is a PDF; an image (JPEG, PNG, WEBP, BMP, TIFF …) is converted to a
one-page PDF with Pillow; a plain-text report is typeset onto PDF pages (Pillow's built-in font:
Latin text only — a text with other characters is refused rather than sent unreadable). Anything
else is refused with a reason, never sent as something the platform would refuse.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CertificateFile", "certificate_pdf", "upload_name"]

_PAGE = (1240, 1754)  # A4 at 150 dpi
_MARGIN = 90
_LINE = 26
_COLUMNS = 90


@dataclass(frozen=True)
class CertificateFile:
    """A document's file ready for ``files/upload`` (``content`` a PDF), or why it is not
    (``reason``: ``certification_file_missing``, ``certification_file_unreadable``,
    ``certification_file_format``, ``certification_file_too_large``)."""

    name: str
    content: bytes = b""
    converted_from: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def upload_name(stem: str) -> str:
    """A name the platform accepts: one ``.pdf`` extension, no spaces or other periods, starting
    with a letter or digit."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-") or "certificate"
    if not safe[0].isalnum():
        safe = "c" + safe
    return f"{safe[:80]}.pdf"


def _image_pdf(content: bytes) -> bytes | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as img:
            frames = []
            for index in range(getattr(img, "n_frames", 1)):
                img.seek(index)
                frames.append(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    out = io.BytesIO()
    frames[0].save(out, format="PDF", save_all=True, append_images=frames[1:], resolution=150.0)
    return out.getvalue()


def _text_pdf(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, _COLUMNS) or [""])
    per_page = (_PAGE[1] - 2 * _MARGIN) // _LINE
    pages = []
    for start in range(0, len(lines), per_page):
        page = Image.new("RGB", _PAGE, "white")
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines[start:start + per_page]):
            draw.text((_MARGIN, _MARGIN + i * _LINE), line, fill="black", font=font)
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150.0)
    return out.getvalue()


def certificate_pdf(path: Path | None, *, max_bytes: int) -> CertificateFile:
    """The PDF to upload for a document's ``file`` (see the module docstring)."""
    if path is None:
        return CertificateFile("", reason="certification_file_missing")
    name = upload_name(path.stem)
    try:
        content = path.read_bytes()
    except OSError:
        return CertificateFile(name, reason="certification_file_unreadable")
    if not content:
        return CertificateFile(name, reason="certification_file_unreadable")
    converted = ""
    if not content.startswith(b"%PDF-"):
        pdf = _image_pdf(content)
        converted = "image"
        if pdf is None:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                return CertificateFile(name, reason="certification_file_format")
            if any(ord(c) > 0xFF for c in text) or "\x00" in text:
                return CertificateFile(name, reason="certification_file_format")
            pdf, converted = _text_pdf(text), "text"
        content = pdf
    if len(content) > max_bytes:
        return CertificateFile(name, reason="certification_file_too_large", converted_from=converted)
    return CertificateFile(name, content, converted_from=converted)
