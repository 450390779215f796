"""Shared pytest configuration; app-specific fixtures live in each app's tests/ folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from machiwb.core.tests.browser import CHROMIUM_LAUNCH

pytest_plugins = ["machiwb.core.tests.fixtures"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by
# live_server tests from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, **CHROMIUM_LAUNCH}


@pytest.fixture(autouse=True)
def _japanese_after_each_test() -> Iterator[None]:
    """A request in English leaves English active in the test thread; every test starts in
    the default language whatever ran before it."""
    yield
    translation.deactivate()
