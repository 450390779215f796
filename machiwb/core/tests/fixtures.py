"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client

from machiwb.accounts.models import User
from machiwb.accounts.testing import login_staff, make_staff


@pytest.fixture(scope="session")
def regions_loaded(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Load the real regional master data once per test session."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def staff_user_factory(db: None) -> Callable[..., User]:
    """``staff_user_factory(municipality="302015", role=Role.EDITOR)`` → a staff user."""
    return make_staff


@pytest.fixture
def verified_client(db: None) -> Callable[[User], Client]:
    """``verified_client(user)`` → a new test client signed in with two factors."""

    def build(user: User) -> Client:
        client = Client()
        login_staff(client, user)
        return client

    return build


@pytest.fixture
def official_results(regions_loaded: None, db: None) -> None:
    """The catalog and the real published 2026年度版 results of four 和歌山県 cities."""
    from machiwb.indicators.testing import load_official_results

    load_official_results()


@pytest.fixture
def computed_results(official_results: None) -> None:
    """Official results plus 海南市's FY2025 個別調査 computed from GENERATED demo responses."""
    from machiwb.indicators.testing import load_computed_demo_results

    load_computed_demo_results()
