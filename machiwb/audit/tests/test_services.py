import pytest

from machiwb.accounts.models import User
from machiwb.audit.models import AuditEntry
from machiwb.audit.services import audit_log_write
from machiwb.regions.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return User.objects.create_user("operator@example.jp", "x", is_operator=True)


def test_entry_records_actor_municipality_and_target(operator: User, regions_loaded: None) -> None:
    town = Municipality.objects.get(code="302015")
    entry = audit_log_write(
        actor=operator, action="survey.publish", municipality=town, target=operator, summary="公開"
    )
    assert entry.actor_label == "operator@example.jp"
    assert entry.municipality_id == "302015"
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(operator.public_id)


@pytest.mark.parametrize("key", ["answers", "code", "invitation_code", "password", "Token"])
def test_secrets_and_answers_are_refused(operator: User, key: str) -> None:
    with pytest.raises(ValueError, match="must not contain"):
        audit_log_write(actor=operator, action="x", details={"nested": {key: "1"}})
    assert AuditEntry.objects.count() == 0


def test_entries_are_append_only(operator: User) -> None:
    entry = audit_log_write(actor=None, action="catalog.load")
    assert entry.actor_label == "system"
    entry.summary = "changed"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().update(summary="x")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
