"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def regions_loaded(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Load the real regional master data once per test session."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
