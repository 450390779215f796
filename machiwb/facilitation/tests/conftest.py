"""The cast of the facilitation tests: two towns, their staff, the operator, two facilitators."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from machiwb.accounts.models import Membership, Role, User
from machiwb.facilitation.models import (
    Dispatch,
    DispatchDateCandidate,
    DispatchState,
    Facilitator,
    WorkshopKind,
)
from machiwb.regions.models import Municipality, Prefecture


@dataclass
class Cast:
    town_a: Municipality  # 和歌山市
    town_b: Municipality  # 海南市
    operator: User
    admin_a: User
    editor_a: User
    viewer_a: User
    editor_b: User
    facilitator_user: User
    other_facilitator_user: User
    facilitator: Facilitator
    other_facilitator: Facilitator


def days_from_today(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _member(email: str, town: Municipality, role: Role) -> User:
    user = User.objects.create_user(email, "x")
    Membership.objects.create(user=user, municipality=town, role=role)
    return user


def make_facilitator(user: User | None, name: str, **extra: object) -> Facilitator:
    fields: dict[str, object] = {
        "user": user,
        "name": name,
        "name_kana": "デモ",
        "training_completed_on": days_from_today(-100),
        "certification_valid_until": days_from_today(365),
        "available_weekdays": [0, 1, 2, 3, 4, 5, 6],
        "specialties": ["staff_training", "dashboard"],
        "languages": ["ja"],
    }
    fields.update(extra)
    facilitator = Facilitator.objects.create(**fields)
    facilitator.prefectures.set([Prefecture.objects.get(code="300004")])
    return facilitator


@pytest.fixture
def cast(regions_loaded: None, db: None) -> Cast:
    town_a = Municipality.objects.get(code="302015")
    town_b = Municipality.objects.get(code="302023")
    facilitator_user = User.objects.create_user("fac@example.jp", "x", is_facilitator=True)
    other_user = User.objects.create_user("fac2@example.jp", "x", is_facilitator=True)
    return Cast(
        town_a=town_a,
        town_b=town_b,
        operator=User.objects.create_user("op@example.jp", "x", is_operator=True),
        admin_a=_member("admin@a.example.jp", town_a, Role.ADMIN),
        editor_a=_member("editor@a.example.jp", town_a, Role.EDITOR),
        viewer_a=_member("viewer@a.example.jp", town_a, Role.VIEWER),
        editor_b=_member("editor@b.example.jp", town_b, Role.EDITOR),
        facilitator_user=facilitator_user,
        other_facilitator_user=other_user,
        facilitator=make_facilitator(facilitator_user, "デモ 進行役A"),
        other_facilitator=make_facilitator(other_user, "デモ 進行役B"),
    )


@pytest.fixture
def dispatch_in(cast: Cast) -> Callable[..., Dispatch]:
    """Make a dispatch of town A directly in a given state (bypassing the services)."""

    def make(
        state: DispatchState,
        *,
        kind: WorkshopKind = WorkshopKind.STAFF,
        day: datetime.date | None = None,
        town: Municipality | None = None,
    ) -> Dispatch:
        day = day or timezone.localdate()
        has_match = state not in (DispatchState.SUBMITTED, DispatchState.CANCELLED)
        dispatch = Dispatch.objects.create(
            municipality=town or cast.town_a,
            applicant=cast.editor_a,
            kind=kind,
            state=state,
            fiscal_year=2026,
            venue="市役所 大会議室",
            purpose="職員の理解を深める",
            facilitator=cast.facilitator if has_match else None,
            workshop_date=day if has_match else None,
        )
        DispatchDateCandidate.objects.create(dispatch=dispatch, day=day)
        return dispatch

    return make
