"""Safe image uploads: sniffed, size-checked, re-encoded from pixels only.

Clinical photos may carry EXIF GPS positions, device serials, timestamps, an
embedded thumbnail of the uncropped photo, XMP/IPTC captions, ICC profile
descriptions, JPEG comments and PNG text chunks. Every stored rendition is
encoded from a fresh image holding decoded pixels and nothing else, and the
encoded bytes are checked to hold no metadata segment before they are returned.
The orientation is applied to the pixels (``exif_transpose``), never stored; an
ICC profile is applied (converted to sRGB) where Pillow has LittleCMS, then
dropped. The type is decided by decoding the content, never by the file name.

Cost is bounded before any pixel is decoded. The header gives the dimensions:
JPEGs are decoded at a reduced scale with ``Image.draft()`` (libjpeg's DCT
scaling: 1/2, 1/4 or 1/8, the largest that still covers the full rendition),
other formats must fit ``MAX_DECODED_PIXELS`` as they are. A larger image (or a
decompression bomb, refused by Pillow's own check) gets the "too large"
message, never "not an image". After decoding, a box ``reduce()`` brings the
pixels near the rendition size before conversion, so the work copies stay small.

Concurrency: decoding and encoding run under ``_DECODE_SLOTS``, a process-wide
semaphore of ``MAX_CONCURRENT_DECODES`` slots. It bounds memory per process
(a gunicorn worker, or the ASGI process whose sync views share threads); the
total is that times the number of processes. An upload that waits longer than
``DECODE_WAIT_SECONDS`` for a slot is refused with "try again" (code ``busy``),
a clear 400 rather than a pile of queued decodes.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError, features

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# Pixels in the file, for JPEG (decoded at up to 1/8 scale).
MAX_SOURCE_PIXELS = 40_000_000
# A progressive JPEG keeps every DCT coefficient of the full image in memory
# while decoding, whatever the scale (a 6300 x 6300 one measured 150 MB), so it
# gets the decoded-size cap. Phone cameras write baseline JPEGs.
MAX_PROGRESSIVE_SOURCE_PIXELS = 16_000_000
# Pixels actually decoded: formats without reduced decoding (PNG, WebP, GIF)
# must fit as they are. 16 MP is a 4000 x 4000 image, 64 MB as RGBA.
MAX_DECODED_PIXELS = 16_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
FULL_EDGE = 1600  # longest edge of the stored full size
SMALL_EDGE = 480  # longest edge of the phone rendition shown by default
MAX_CONCURRENT_DECODES = 2
DECODE_WAIT_SECONDS = 30.0

_DECODE_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_DECODES)

# JPEG markers a pixels-only file may hold before its first scan: APP0 (JFIF),
# quantisation and Huffman tables, frame headers, restart interval. APP1..APP15
# (EXIF, XMP, ICC, IPTC, Adobe) and COM (comment) are metadata.
_JPEG_TABLE_MARKERS = {0xE0, 0xDB, 0xC4, 0xDD, 0xCC} | set(range(0xC0, 0xD0))


@dataclass(frozen=True)
class ProcessedImage:
    """Re-encoded renditions of one upload, ready to store."""

    full: ContentFile
    small: ContentFile
    width: int
    height: int


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file is not an image we can read. Use a JPEG, PNG or WebP photo."),
        code="bad_type",
    )


def _too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    if width is None or height is None:
        return _(
            "The image is too large to process: it has far more pixels than a "
            "photo needs. Resize it (for example to 2000 pixels wide) and try again."
        )
    return _(
        "The image is too large to process (%(width)d x %(height)d pixels). "
        "Resize it (for example to 2000 pixels wide) and try again."
    ) % {"width": width, "height": height}


def _too_many_bytes(size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The image is too large (%(mb).1f MB). The limit is %(limit)d MB.")
        % {"mb": size / 1_048_576, "limit": max_bytes // 1_048_576},
        code="too_large",
    )


def _read(upload: IO[bytes], max_bytes: int) -> bytes:
    """The upload's bytes (at most ``max_bytes``); the caller's file is rewound.

    Pillow's ``close()`` closes the file it read, so images are opened on a copy.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > max_bytes:
        upload.seek(0)
        raise _too_many_bytes(size, max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:  # a file whose ``size`` understated it
        raise _too_many_bytes(len(data), max_bytes)
    return data


def _draft_size(width: int, height: int) -> tuple[int, int]:
    """The smallest size a reduced JPEG decode may have and still fill FULL_EDGE."""
    ratio = min(1.0, FULL_EDGE / max(width, height))
    return max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))


def _open_checked(data: bytes) -> Image.Image:
    """Open (header only), check type and dimensions, and set up reduced decoding.

    The caller closes the image. Raises ValidationError before any pixel is
    decoded when the image is of the wrong type or too large.
    """
    try:
        image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_too_many_pixels(), code="too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unreadable() from None
    try:
        if image.format not in ACCEPTED_FORMATS:
            raise ValidationError(
                _("Only JPEG, PNG, WebP or GIF images can be uploaded."),
                code="bad_type",
            )
        width, height = image.size
        if width < 1 or height < 1:
            raise _unreadable()
        progressive = image.info.get("progressive") or image.info.get("progression")
        limit = MAX_PROGRESSIVE_SOURCE_PIXELS if progressive else MAX_SOURCE_PIXELS
        if width * height > limit:
            raise ValidationError(_too_many_pixels(width, height), code="too_large")
        # JPEG only: decode at 1/2, 1/4 or 1/8 scale; other formats ignore it.
        image.draft("RGB", _draft_size(width, height))
        if image.width * image.height > MAX_DECODED_PIXELS:
            raise ValidationError(_too_many_pixels(width, height), code="too_large")
    except BaseException:
        image.close()
        raise
    return image


def image_check(upload: IO[bytes], *, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse a file that is too big, of the wrong type or too many pixels.

    Reads the header only (no pixels are decoded), so forms and serializers can
    report the error on their file field; ``image_process`` checks again.
    """
    _open_checked(_read(upload, max_bytes)).close()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (
        "transparency" in image.info
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels, with an embedded ICC profile applied and transparency on white."""
    icc = image.info.get("icc_profile")
    if icc and features.check("littlecms2"):
        from PIL import ImageCms  # needs LittleCMS, checked above

        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            if image.mode in {"RGB", "CMYK", "L"}:
                converted = ImageCms.profileToProfile(
                    image, source, srgb, outputMode="RGB"
                )
                if converted is not None:
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or unusual profile: keep the pixels as they are
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixel bytes alone: no ``info`` (comment, EXIF, ICC...).

    Pillow copies ``info`` into derived images and writes ``info["comment"]``
    back into JPEGs, so a copy of a decoded upload is not enough.
    """
    return Image.frombytes("RGB", image.size, image.tobytes())


def _assert_pixels_only_jpeg(data: bytes) -> None:
    """Raise if the encoded JPEG holds any metadata segment before its first scan."""
    if data[:2] != b"\xff\xd8":
        raise RuntimeError("rendition is not a JPEG")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise RuntimeError("malformed JPEG rendition")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: only entropy-coded pixels follow
            return
        if marker not in _JPEG_TABLE_MARKERS:
            raise RuntimeError(f"JPEG rendition holds metadata marker {marker:#x}")
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    raise RuntimeError("JPEG rendition has no scan")


def _encode(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    _pixels_only(image).save(
        buffer, format="JPEG", quality=78, optimize=True, progressive=True
    )
    data = buffer.getvalue()
    _assert_pixels_only_jpeg(data)
    return ContentFile(data, name=name)


def _decode(data: bytes) -> Image.Image:
    """Decoded, upright RGB pixels no larger than about twice FULL_EDGE.

    Works in place where Pillow allows, so the peak is about one decoded copy.
    """
    with _open_checked(data) as opened:
        opened.load()
        image: Image.Image = opened
        if image.mode not in {"RGB", "RGBA", "L", "LA", "CMYK"}:
            # Palette, 1-bit and 16-bit pixels cannot be box-reduced as they are.
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        # A box reduce keeps the Lanczos resize (and any copy below) small.
        factor = max(image.size) // (2 * FULL_EDGE)
        if factor >= 2:
            image = image.reduce(factor)  # keeps info: orientation, ICC to apply
        ImageOps.exif_transpose(image, in_place=True)
        return _to_srgb(image)


def image_process(
    upload: IO[bytes], *, max_bytes: int = MAX_UPLOAD_BYTES
) -> ProcessedImage:
    """Validate and re-encode an uploaded image, or raise ValidationError.

    Waits for one of the process-wide decode slots (see the module docstring).
    """
    data = _read(upload, max_bytes)
    _open_checked(data).close()  # refuse the cheap cases before queueing
    if not _DECODE_SLOTS.acquire(timeout=DECODE_WAIT_SECONDS):
        raise ValidationError(
            _("Many photos are being processed right now. Try again in a minute."),
            code="busy",
        )
    try:
        try:
            image = _decode(data)
        except ValidationError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise _unreadable() from None
        image.thumbnail((FULL_EDGE, FULL_EDGE), Image.Resampling.LANCZOS)
        full = _encode(image, "full.jpg")
        width, height = image.size
        image.thumbnail((SMALL_EDGE, SMALL_EDGE), Image.Resampling.LANCZOS)
        small = _encode(image, "small.jpg")
    finally:
        _DECODE_SLOTS.release()
    return ProcessedImage(full=full, small=small, width=width, height=height)
