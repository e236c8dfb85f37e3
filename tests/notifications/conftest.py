"""Fixtures shared with mentoring's tests."""

from tests.mentoring.conftest import paired  # noqa: F401 - a fixture
