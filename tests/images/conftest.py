"""Reading served renditions back with exiftool, the way an outsider would."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EXIFTOOL = shutil.which("exiftool")

needs_exiftool = pytest.mark.skipif(
    EXIFTOOL is None,
    reason="exiftool is not installed (Debian: apt-get install libimage-exiftool-perl)",
)

# What exiftool reports for a JPEG holding pixels only: the file system's facts,
# the frame header, the JFIF segment and sizes computed from them.
BASIC_TAGS = {
    "SourceFile",
    "ExifTool:ExifToolVersion",
    "File:FileName",
    "File:Directory",
    "File:FileSize",
    "File:FileModifyDate",
    "File:FileAccessDate",
    "File:FileInodeChangeDate",
    "File:FilePermissions",
    "File:FileType",
    "File:FileTypeExtension",
    "File:MIMEType",
    "File:ImageWidth",
    "File:ImageHeight",
    "File:EncodingProcess",
    "File:BitsPerSample",
    "File:ColorComponents",
    "File:YCbCrSubSampling",
    "JFIF:JFIFVersion",
    "JFIF:ResolutionUnit",
    "JFIF:XResolution",
    "JFIF:YResolution",
    "Composite:ImageSize",
    "Composite:Megapixels",
}


def exiftool_tags(paths: list[Path]) -> list[dict[str, object]]:
    """``exiftool -j -G -a`` on the files: every tag, duplicates included."""
    assert EXIFTOOL is not None
    result = subprocess.run(  # noqa: S603 - a fixed tool on files we wrote
        [EXIFTOOL, "-j", "-G", "-a", *map(str, paths)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def metadata_beyond_basic(paths: list[Path]) -> list[dict[str, object]]:
    """Per file, the tags that are not basic file/image facts (empty when clean)."""
    return [
        {k: v for k, v in tags.items() if k not in BASIC_TAGS}
        for tags in exiftool_tags(paths)
    ]
