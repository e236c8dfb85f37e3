"""The layering holds: one-way imports between apps, and interfaces without ORM.

The import contracts live in ``pyproject.toml`` ([tool.importlinter]); `.ci/run`
also runs ``lint-imports`` on its own, so a broken contract names the chain.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cpd", "courses", "forums", "mentoring")

# Interfaces: pages, API views (``api/views.py``) and consumers parse input,
# call a policy-scoped selector or a service, and render. Reads and writes of
# models happen in selectors and services. (A serializer's related-field
# queryset is DRF's declaration of valid choices, not a query, so serializers
# are not checked.)
INTERFACE_NAMES = {"views.py", "consumers.py"}
INTERFACE_DIRS = {"consumers"}


def _interface_modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "site-packages" in path.parts:
                continue
            if path.name in INTERFACE_NAMES or (
                path.parent.name in INTERFACE_DIRS and path.name != "__init__.py"
            ):
                found.append(path)
    return sorted(found)


def _manager_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]


def test_import_contracts_are_kept() -> None:
    """cpd imports no app, courses no forums or mentoring, forums no mentoring."""
    # In a process of its own: the test process has Twisted's zope.interface
    # loaded, whose class advice trips import-linter's option check.
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_interface_modules_are_found() -> None:
    """The ORM check below looks at every kind of interface module."""
    names = {str(p.relative_to(ROOT)) for p in _interface_modules()}
    assert "forums/views.py" in names
    assert "forums/api/views.py" in names
    assert "forums/rooms/consumers/case_room.py" in names
    assert "cpd/consumers.py" in names


@pytest.mark.parametrize(
    "path", _interface_modules(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_interfaces_do_not_touch_model_managers(path: Path) -> None:
    """Views, API views and consumers read through selectors, write through services."""
    assert _manager_uses(path) == []
