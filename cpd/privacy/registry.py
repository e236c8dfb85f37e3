"""Sections of a person's data that other apps own: exporters and erasers.

``cpd`` cannot import ``courses``, ``forums`` or ``mentoring``, so each app
registers, in its ``AppConfig.ready()``, an exporter (user -> JSON-able data and
the images to add to the ZIP) and an eraser (user -> its rows deleted or
anonymised), the way page panels are handed over (``cpd.panels``); and, where it
caches pages that name people, a renamer (user -> those pages rendered afresh).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cpd.models import Image, User


@dataclass
class ExportPart:
    """One app's section of an export: JSON-able data plus image rows."""

    data: dict[str, Any]
    images: list[Image] = field(default_factory=list)


class CertificateChoice:
    KEEP = "keep"  # stays verifiable, with the name removed
    REVOKE = "revoke"


@dataclass(frozen=True)
class ErasureContext:
    """What an eraser may need besides the user: the organisation's choices."""

    certificates: str = CertificateChoice.KEEP


Exporter = Callable[[User], ExportPart]
Eraser = Callable[[User, ErasureContext], dict[str, int]]
Renamer = Callable[[User], None]

# section name -> callable, in registration order (app order in INSTALLED_APPS).
_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def exporter_register(section: str, exporter: Exporter) -> None:
    """Register the exporter of a section (``courses.json`` in the ZIP)."""
    _exporters[section] = exporter


def eraser_register(section: str, eraser: Eraser) -> None:
    """Register the eraser of a section; it returns counts of rows touched."""
    _erasers[section] = eraser


def exporters() -> dict[str, Exporter]:
    """Registered exporters by section name."""
    return dict(_exporters)


def erasers() -> dict[str, Eraser]:
    """Registered erasers by section name."""
    return dict(_erasers)


_renamers: dict[str, Renamer] = {}


def renamer_register(section: str, renamer: Renamer) -> None:
    """Register what a section does when a person's display name changes."""
    _renamers[section] = renamer


def renamers() -> dict[str, Renamer]:
    """Registered renamers by section name."""
    return dict(_renamers)
