"""Reuse the phone-sized Chromium setup of tests/browser for forum browser tests."""

from tests.browser.conftest import (  # noqa: F401 - pytest fixtures
    browser_context_args,
    browser_type_launch_args,
)
