"""The operator's facilitator registry (登録簿)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from machiwb.accounts.models import User
from machiwb.audit.models import AuditEntry
from machiwb.facilitation import services
from machiwb.facilitation.models import Facilitator
from machiwb.facilitation.services import FacilitatorInput
from machiwb.facilitation.tests.conftest import Cast

pytestmark = pytest.mark.django_db


def entry(**changes: object) -> FacilitatorInput:
    fields: dict[str, object] = {
        "name": "デモ 進行役C",
        "name_kana": "デモ シンコウヤクシー",
        "prefecture_codes": ["300004", "270008"],
        "training_completed_on": datetime.date(2025, 10, 1),
        "certification_valid_until": datetime.date(2027, 9, 30),
        "specialties": ["dashboard", "staff_training", "dashboard"],
        "languages": ["en", "ja"],
        "available_weekdays": [5, 0, 2],
        "unavailable": [(datetime.date(2026, 12, 28), datetime.date(2027, 1, 4))],
    }
    fields.update(changes)
    return FacilitatorInput(**fields)  # type: ignore[arg-type]


def test_operator_creates_an_entry(cast: Cast) -> None:
    account = User.objects.create_user("new.facilitator@example.jp", "x")
    facilitator = services.facilitator_create(
        user=cast.operator, data=entry(user_email="New.Facilitator@example.jp")
    )
    facilitator.refresh_from_db()
    assert sorted(p.code for p in facilitator.prefectures.all()) == ["270008", "300004"]
    assert facilitator.specialties == ["staff_training", "dashboard"]
    assert facilitator.languages == ["ja", "en"]
    assert facilitator.available_weekdays == [0, 2, 5]
    assert facilitator.weekday_labels() == ["月", "水", "土"]
    assert [(u.start, u.end) for u in facilitator.unavailabilities.all()] == [
        (datetime.date(2026, 12, 28), datetime.date(2027, 1, 4))
    ]
    assert facilitator.user == account
    account.refresh_from_db()
    assert account.is_facilitator
    assert AuditEntry.objects.get().action == "facilitation.facilitator.create"


def test_only_the_operator_edits_the_registry(cast: Cast) -> None:
    for user in (cast.admin_a, cast.facilitator_user):
        with pytest.raises(PermissionDenied):
            services.facilitator_create(user=user, data=entry())
    assert Facilitator.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"specialties": ["juggling"]}, "specialties"),
        ({"languages": ["xx"]}, "languages"),
        ({"available_weekdays": [7]}, "available_weekdays"),
        ({"prefecture_codes": []}, "prefectures"),
        ({"prefecture_codes": ["999999"]}, "prefectures"),
        ({"user_email": "nobody@example.jp"}, "user_email"),
        ({"user_email": "fac2@example.jp"}, "user"),
        (
            {"unavailable": [(datetime.date(2027, 1, 4), datetime.date(2026, 12, 28))]},
            "unavailable",
        ),
        ({"name": ""}, "name"),
    ],
)
def test_bad_entries_are_refused(cast: Cast, changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.facilitator_create(user=cast.operator, data=entry(**changes))
    assert field in error.value.message_dict
    assert Facilitator.objects.count() == 2


def test_certification_cannot_end_before_training(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        services.facilitator_create(
            user=cast.operator,
            data=entry(certification_valid_until=datetime.date(2025, 9, 30)),
        )


def test_renewal_updates_the_dates_and_replaces_periods(cast: Cast) -> None:
    facilitator = services.facilitator_update(
        user=cast.operator,
        facilitator=cast.facilitator,
        data=entry(name="デモ 進行役A", unavailable=[]),
    )
    facilitator.refresh_from_db()
    assert facilitator.certification_valid_until == datetime.date(2027, 9, 30)
    assert facilitator.user is None
    assert not facilitator.unavailabilities.exists()
    assert AuditEntry.objects.get().details == {"certification_valid_until": "2027-09-30"}
