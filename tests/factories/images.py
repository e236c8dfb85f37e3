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


# --- Photos carrying every kind of metadata (for the pixels-only tests) ------------

SECRET = "Jane Doe MRN-4471"  # stands for anything identifying: must never be served
ORIENTATION_ROTATE_90 = 6  # EXIF: the camera was turned; show rotated 90 clockwise


def _tiff(ifds: list[list[tuple[int, int, bytes]]], thumbnail: bytes) -> bytes:
    """A little-endian TIFF/EXIF block: IFD0, Exif IFD, GPS IFD, IFD1 (+ thumbnail).

    Entries are (tag, type, value bytes); types 2 ASCII, 3 SHORT, 4 LONG,
    5 RATIONAL. Pointer tags (0x8769, 0x8825) and the thumbnail offset (0x0201)
    are filled in here. Pillow reads IFD1 but cannot write it, hence by hand.
    """
    import struct

    sizes = {2: 1, 3: 2, 4: 4, 5: 8, 7: 1}

    def ifd_len(entries):
        data = sum(len(v) + len(v) % 2 for _t, _k, v in entries if len(v) > 4)
        return 2 + 12 * len(entries) + 4 + data

    offsets = [8]
    for entries in ifds[:-1]:
        offsets.append(offsets[-1] + ifd_len(entries))
    thumb_at = offsets[-1] + ifd_len(ifds[-1])
    pointers = {0x8769: offsets[1], 0x8825: offsets[2], 0x0201: thumb_at}
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for index, entries in enumerate(ifds):
        start = offsets[index]
        data_at = start + 2 + 12 * len(entries) + 4
        table, data = bytearray(struct.pack("<H", len(entries))), bytearray()
        for tag, kind, value in entries:
            if tag in pointers:
                value = struct.pack("<I", pointers[tag])
            count = len(value) // sizes[kind]
            if len(value) > 4:
                field = struct.pack("<I", data_at + len(data))
                data += value + b"\x00" * (len(value) % 2)
            else:
                field = value.ljust(4, b"\x00")
            table += struct.pack("<HHI", tag, kind, count) + field
        next_ifd = offsets[3] if index == 0 else 0  # IFD0 links to IFD1
        table += struct.pack("<I", next_ifd)
        out += table + data
    return bytes(out + thumbnail)


def exif_with_gps_orientation_and_thumbnail() -> bytes:
    """EXIF: camera make/model/serial, time, GPS, orientation 6, a JPEG thumbnail."""
    import struct

    thumb = io.BytesIO()
    Image.new("RGB", (160, 120), (255, 0, 0)).save(thumb, "JPEG")
    thumbnail = thumb.getvalue()

    def ascii_(text: str) -> bytes:
        return text.encode() + b"\x00"

    def rationals(*pairs: tuple[int, int]) -> bytes:
        return b"".join(struct.pack("<II", n, d) for n, d in pairs)

    ifd0 = [
        (0x010F, 2, ascii_("PhoneMaker")),  # Make
        (0x0110, 2, ascii_("Model X")),  # Model
        (0x0112, 3, struct.pack("<H", ORIENTATION_ROTATE_90)),  # Orientation
        (0x010E, 2, ascii_(SECRET)),  # ImageDescription
        (0x8769, 4, b"\x00" * 4),  # Exif IFD pointer
        (0x8825, 4, b"\x00" * 4),  # GPS IFD pointer
    ]
    exif_ifd = [
        (0x9003, 2, ascii_("2026:01:02 03:04:05")),  # DateTimeOriginal
        (0xA431, 2, ascii_("SN-0042-CAMERA")),  # BodySerialNumber
    ]
    gps_ifd = [
        (0x0001, 2, b"S\x00"),  # GPSLatitudeRef
        (0x0002, 5, rationals((1, 1), (17, 1), (30, 1))),  # GPSLatitude
        (0x0003, 2, b"E\x00"),  # GPSLongitudeRef
        (0x0004, 5, rationals((36, 1), (49, 1), (0, 1))),  # GPSLongitude
    ]
    ifd1 = [
        (0x0103, 3, struct.pack("<H", 6)),  # Compression: JPEG
        (0x0201, 4, b"\x00" * 4),  # JPEGInterchangeFormat (offset)
        (0x0202, 4, struct.pack("<I", len(thumbnail))),  # ...Length
    ]
    return b"Exif\x00\x00" + _tiff([ifd0, exif_ifd, gps_ifd, ifd1], thumbnail)


XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    'exif:GPSLatitude="1,17.5S"><dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
    f"{SECRET}</rdf:li></rdf:Alt></dc:description></rdf:Description>"
    "</rdf:RDF></x:xmpmeta>"
).encode()


def _iptc_app13() -> bytes:
    """An APP13 Photoshop segment holding an IPTC caption and by-line."""
    import struct

    def dataset(number: int, text: str) -> bytes:
        value = text.encode()
        return b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value)) + value

    iim = dataset(120, SECRET) + dataset(80, "Dr Photographer")
    iim += b"\x00" * (len(iim) % 2)
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00"
    resource += struct.pack(">I", len(iim)) + iim
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def _icc_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _pixels(size=(640, 480)) -> Image.Image:
    """Left half red, right half blue: shows whether the orientation was applied."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def jpeg_with_all_metadata(name="wound.jpg", *, icc=True) -> SimpleUploadedFile:
    """A JPEG with EXIF (GPS, orientation, thumbnail), XMP, IPTC, ICC and a COM.

    Without ``icc`` nothing converts the pixels to a new image on the way: the
    case in which Pillow carried the comment into the renditions.
    """
    buffer = io.BytesIO()
    _pixels().save(
        buffer,
        format="JPEG",
        exif=exif_with_gps_orientation_and_thumbnail(),
        xmp=XMP,
        icc_profile=_icc_profile() if icc else None,
        comment=SECRET,
        extra=_iptc_app13(),
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_with_all_metadata(name="chart.png") -> SimpleUploadedFile:
    """A PNG with tEXt, zTXt and iTXt chunks, XMP, eXIf (GPS, orientation), iCCP."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SECRET)  # tEXt
    info.add_text("Author", SECRET, zip=True)  # zTXt
    info.add_itxt("Description", SECRET, lang="en", tkey="Description")  # iTXt
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())  # XMP lives in iTXt
    buffer = io.BytesIO()
    _pixels().convert("RGBA").save(
        buffer,
        format="PNG",
        pnginfo=info,
        exif=exif_with_gps_orientation_and_thumbnail()[6:],
        icc_profile=_icc_profile(),
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def webp_with_all_metadata(name="lesion.webp") -> SimpleUploadedFile:
    """A WebP with EXIF (GPS, orientation, thumbnail), XMP and ICC chunks."""
    buffer = io.BytesIO()
    _pixels().save(
        buffer,
        format="WEBP",
        exif=exif_with_gps_orientation_and_thumbnail(),
        xmp=XMP,
        icc_profile=_icc_profile(),
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/webp")


def gif_with_comment(name="scan.gif") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    _pixels().convert("P").save(buffer, format="GIF", comment=SECRET)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/gif")


def flat_png(width: int, height: int) -> bytes:
    """A valid PNG of black RGB pixels built row by row: a tiny file, a huge image.

    Built without Pillow so a test never holds the decoded pixels itself.
    """
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte 0, then the row's pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions and holds one tiny IDAT: a bomb's header."""
    whole = flat_png(1, 1)
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    crc = zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF
    return (
        whole[:8]
        + struct.pack(">I", 13)
        + b"IHDR"
        + ihdr
        + struct.pack(">I", crc)
        + whole[33:]
    )
