import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from machiwb.accounts.models import Role, User
from machiwb.accounts.testing import login_staff, make_operator, make_staff
from machiwb.audit.export import CSV_COLUMNS, csv_cell
from machiwb.audit.models import AuditEntry
from machiwb.audit.services import audit_log_write
from machiwb.regions.models import Municipality

pytestmark = pytest.mark.django_db

WAKAYAMA, KAINAN = "302015", "302023"


@pytest.fixture
def entries(regions_loaded: None) -> None:
    actor = make_operator(email="ops@example.jp")
    for code, action in [(WAKAYAMA, "survey.publish"), (KAINAN, "survey.close")]:
        audit_log_write(
            actor=actor,
            action=action,
            municipality=Municipality.objects.get(code=code),
            summary=f'=HYPERLINK("http://evil") {code}',
        )
    audit_log_write(actor=actor, action="catalog.import", summary="全体")


def _client(user: User) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_operator_sees_every_entry(entries: None) -> None:
    response = _client(make_operator()).get(reverse("audit:log"))
    assert response.status_code == 200
    actions = [e.action for e in response.context["page"]]
    assert {"survey.publish", "survey.close", "catalog.import"} <= set(actions)


def test_municipality_admin_sees_only_their_own(entries: None) -> None:
    admin = make_staff(municipality=WAKAYAMA, role=Role.ADMIN)
    response = _client(admin).get(reverse("audit:log"))
    municipalities = {e.municipality_id for e in response.context["page"]}
    assert municipalities == {WAKAYAMA}


def test_admin_cannot_filter_into_another_municipality(entries: None) -> None:
    admin = make_staff(municipality=WAKAYAMA, role=Role.ADMIN)
    response = _client(admin).get(reverse("audit:log"), {"municipality": KAINAN})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "municipality" in response.context["form"].errors
    export = _client(admin).get(reverse("audit:export"), {"municipality": KAINAN})
    assert export.status_code == 400


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_viewers_and_editors_get_404(entries: None, role: Role) -> None:
    staff = make_staff(municipality=WAKAYAMA, role=role)
    assert _client(staff).get(reverse("audit:log")).status_code == 404
    assert _client(staff).get(reverse("audit:export")).status_code == 404


def test_anonymous_goes_to_login(entries: None) -> None:
    response = Client().get(reverse("audit:log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_filters(entries: None) -> None:
    client = _client(make_operator())
    by_action = client.get(reverse("audit:log"), {"action": "survey."})
    assert {e.action for e in by_action.context["page"]} == {"survey.publish", "survey.close"}
    by_town = client.get(reverse("audit:log"), {"municipality": KAINAN})
    assert [e.action for e in by_town.context["page"]] == ["survey.close"]
    bad = client.get(reverse("audit:log"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "date_to" in bad.context["form"].errors
    unknown = client.get(reverse("audit:log"), {"municipality": "999999"})
    assert "見つかりません" in unknown.content.decode()


def test_csv_export_has_the_schema_neutralises_formulas_and_is_audited(entries: None) -> None:
    operator = make_operator()
    response = _client(operator).get(reverse("audit:export"), {"action": "survey."})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    summaries = [row[CSV_COLUMNS.index("summary")] for row in rows[1:]]
    assert all(s.startswith("'=HYPERLINK") for s in summaries)
    assert AuditEntry.objects.filter(action="audit.export", actor=operator).count() == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("和歌山市", "和歌山市"),
        ("", ""),
    ],
)
def test_csv_cell(value: str, expected: str) -> None:
    assert csv_cell(value) == expected


def test_database_refuses_to_update_audit_rows(entries: None) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET summary = 'x' WHERE id = %s", [entry.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row DELETE is refused on PostgreSQL")
def test_postgresql_refuses_to_delete_audit_rows(entries: None) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditentry")


def test_orm_refuses_update_and_delete(entries: None) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().update(summary="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_mypage_links_admins_to_audit_and_members(entries: None) -> None:
    admin = make_staff(municipality=WAKAYAMA, role=Role.ADMIN)
    body = _client(admin).get(reverse("accounts:mypage")).content.decode()
    assert reverse("audit:log") in body
    assert reverse("accounts:members", args=[WAKAYAMA]) in body
    viewer = make_staff(municipality=WAKAYAMA, role=Role.VIEWER)
    assert (
        reverse("audit:log") not in _client(viewer).get(reverse("accounts:mypage")).content.decode()
    )
