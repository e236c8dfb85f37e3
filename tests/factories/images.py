"""Image bytes for upload tests, made here (no binary fixtures in the repo)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
GPS_LATITUDE_REF = 1
GPS_LATITUDE = 2


def jpeg_with_gps(size=(800, 600), name="ward-round.jpg") -> SimpleUploadedFile:
    """A JPEG carrying an EXIF GPS position and camera make."""
    image = Image.new("RGB", size, (200, 80, 80))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[GPS_LATITUDE_REF] = "S"
    gps[GPS_LATITUDE] = (1.0, 17.0, 30.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(size=(64, 64), name="chart.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def disguised(payload: bytes, name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, payload, content_type="image/jpeg")


PHP = b"<?php system($_GET['c']); ?>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
    b'<rect width="10" height="10"/></svg>'
)
