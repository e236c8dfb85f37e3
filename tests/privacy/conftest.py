"""Helpers for privacy tests: run owed tasks, read an export's ZIP."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from cpd.privacy.models import DataExport


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks):
    """Run a callable and then what it queued for after commit (eager tasks)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def export_files(export: DataExport) -> dict[str, bytes]:
    """The ZIP of a ready export, as name -> bytes."""
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name) for name in archive.namelist()}


def export_json(export: DataExport, section: str) -> dict:
    return json.loads(export_files(export)[f"{section}.json"])
