"""Safe image uploads: sniffed, size-checked, re-encoded, stripped of metadata.

Clinical photos may carry EXIF GPS positions, device serials and timestamps.
Re-encoding the pixels with Pillow (without the source's metadata) drops all of
it; the type is decided by decoding the content, never by the file name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs early
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
FULL_EDGE = 1600  # longest edge of the stored full size
SMALL_EDGE = 480  # longest edge of the phone rendition shown by default


@dataclass(frozen=True)
class ProcessedImage:
    """Re-encoded renditions of one upload, ready to store."""

    full: ContentFile
    small: ContentFile
    width: int
    height: int


def _encode(image: Image.Image, edge: int, name: str) -> tuple[ContentFile, int, int]:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=78, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name), copy.width, copy.height


def image_process(
    upload: IO[bytes], *, max_bytes: int = MAX_UPLOAD_BYTES
) -> ProcessedImage:
    """Validate and re-encode an uploaded image, or raise ValidationError."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(mb).1f MB). The limit is %(limit)d MB.")
            % {"mb": size / 1_048_576, "limit": max_bytes // 1_048_576},
            code="too_large",
        )
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            if kind not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("Only JPEG, PNG, WebP or GIF images can be uploaded."),
                    code="bad_type",
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="big")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read. Use a JPEG, PNG or WebP photo."),
            code="bad_type",
        ) from None
    full, width, height = _encode(image, FULL_EDGE, "full.jpg")
    small, _w, _h = _encode(image, SMALL_EDGE, "small.jpg")
    return ProcessedImage(full=full, small=small, width=width, height=height)
