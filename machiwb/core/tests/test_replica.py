"""Read replica (DATABASE_REPLICA_URL): which database alias each kind of request reads.

The test settings define ``replica`` as a test mirror of ``default`` (a second connection to
the same test database); these tests switch the router on, as the production settings do
when the variable is set, and count the queries each alias runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.core import db
from machiwb.dashboard.models import Favorite

# Tests that must not touch the replica allow only "default": a query routed to the replica
# would fail them ("Database queries to 'replica' are not allowed in this test").
both = pytest.mark.django_db(databases=["default", "replica"])

# Pages whose data (the regional master, loaded once per session) is visible to both
# connections; results written inside a test's transaction are seen by the primary only.
PUBLIC_READS = [
    ("/dashboard/", {"q": "かいなん"}, "海南市"),
    ("/dashboard/suggestions/", {"q": "かいなん"}, "海南市"),
    ("/api/v1/municipalities", {"pref": "30"}, "海南市"),
    ("/api/v1/prefectures.csv", {}, "和歌山県"),
    ("/api/v1/catalog", {}, '"data"'),
]


@contextmanager
def counted(*aliases: str) -> Iterator[dict[str, CaptureQueriesContext]]:
    captured = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}
    for context in captured.values():
        context.__enter__()
    try:
        yield captured
    finally:
        for context in captured.values():
            context.__exit__(None, None, None)


@pytest.fixture
def with_replica(settings: SettingsWrapper, regions_loaded: None) -> Iterator[None]:
    settings.DATABASE_ROUTERS = [db.ROUTER]
    db._replica_down_until[0] = 0.0
    yield
    connections["replica"].close()  # else it holds the test database open at the end


@both
@pytest.mark.parametrize(("url", "params", "expected"), PUBLIC_READS)
def test_public_pages_read_the_replica_only(
    with_replica: None, client: Client, url: str, params: dict[str, str], expected: str
) -> None:
    with counted("default", "replica") as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert len(queries["replica"]) > 0
    assert [q["sql"] for q in queries["default"]] == []


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(
    regions_loaded: None, client: Client
) -> None:
    with counted("default") as queries:
        response = client.get("/api/v1/municipalities", {"pref": "30"})
    assert response.status_code == 200
    assert len(queries["default"]) > 0


@pytest.mark.django_db
def test_signed_in_pages_and_favourite_writes_use_the_primary(
    with_replica: None, official_results: None
) -> None:
    client = Client()
    login_staff(client, make_staff(municipality="302015", role=Role.VIEWER))
    selection = {"m": "302015", "type": "national", "fy": "2026"}
    with counted("default") as queries:
        assert client.post(reverse("dashboard:favorite_add"), selection).status_code == 302
        page = client.get(reverse("dashboard:index"), selection)
    # The user sees the favourite just saved: the page read the primary.
    assert "お気に入りから外す" in page.content.decode()
    assert Favorite.objects.count() == 1
    assert any(q["sql"].startswith("INSERT") for q in queries["default"])


@pytest.mark.django_db
def test_api_writes_are_refused_without_touching_the_replica(
    with_replica: None, client: Client
) -> None:
    assert client.post("/api/v1/municipalities").status_code == 405


@both
def test_unreachable_replica_falls_back_to_the_primary(with_replica: None, client: Client) -> None:
    refused = OperationalError("refused")
    down = mock.patch.object(connections["replica"], "ensure_connection", side_effect=refused)
    with counted("default", "replica") as queries, down:
        response = client.get("/api/v1/municipalities", {"pref": "30"})
        ready = client.get("/readyz")
    assert response.status_code == 200
    assert len(queries["default"]) > 0
    assert len(queries["replica"]) == 0
    assert ready.status_code == 200
    assert ready.json()["replica"] == "replica unreachable: OperationalError; reading the primary"
    # Once it answers again, the next check puts it back in use.
    assert client.get("/readyz").json()["replica"] == "ok"
    with counted("default", "replica") as queries:
        client.get("/api/v1/municipalities", {"pref": "30"})
    assert len(queries["replica"]) > 0
