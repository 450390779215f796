"""The programme's rules: staff workshop first, valid certification, no double booking."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from machiwb.audit.models import AuditEntry
from machiwb.facilitation import services
from machiwb.facilitation.models import (
    Dispatch,
    DispatchState,
    FacilitatorUnavailability,
    WorkshopKind,
    WorkshopReport,
)
from machiwb.facilitation.services import ReportInput, TransitionNotAllowed
from machiwb.facilitation.tests.conftest import Cast, days_from_today, make_facilitator

pytestmark = pytest.mark.django_db

S = DispatchState


def submit(cast: Cast, kind: WorkshopKind, *days: datetime.date) -> Dispatch:
    return services.dispatch_submit(
        user=cast.editor_a,
        municipality=cast.town_a,
        kind=kind,
        date_candidates=list(days) or [days_from_today(30)],
        venue="市民会館",
        purpose="ウェルビーイングを軸に施策を考える",
    )


# --- staff workshop first ----------------------------------------------------------------


@pytest.mark.parametrize("kind", [WorkshopKind.STAKEHOLDERS, WorkshopKind.RESIDENTS])
def test_resident_and_stakeholder_workshops_need_a_held_staff_workshop(
    cast: Cast, kind: WorkshopKind
) -> None:
    with pytest.raises(ValidationError) as error:
        submit(cast, kind)
    assert "職員向けワークショップを実施した後に" in error.value.message_dict["kind"][0]
    assert not Dispatch.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "staff_state", [S.SUBMITTED, S.PROPOSED, S.DECIDED, S.NOTIFIED, S.CANCELLED]
)
def test_a_staff_workshop_not_yet_held_does_not_count(
    cast: Cast, dispatch_in: Callable[..., Dispatch], staff_state: DispatchState
) -> None:
    dispatch_in(staff_state, kind=WorkshopKind.STAFF)
    with pytest.raises(ValidationError):
        submit(cast, WorkshopKind.RESIDENTS)


@pytest.mark.parametrize(
    "staff_state", [S.HELD, S.ORGANISER_REPORTED, S.FACILITATOR_REPORTED, S.REPORTED, S.PAID]
)
def test_after_a_held_staff_workshop_residents_may_apply(
    cast: Cast, dispatch_in: Callable[..., Dispatch], staff_state: DispatchState
) -> None:
    dispatch_in(staff_state, kind=WorkshopKind.STAFF, day=days_from_today(-20))
    dispatch = submit(cast, WorkshopKind.RESIDENTS)
    assert dispatch.state == S.SUBMITTED
    assert dispatch.kind == WorkshopKind.RESIDENTS


def test_another_towns_staff_workshop_does_not_count(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch_in(S.HELD, kind=WorkshopKind.STAFF, town=cast.town_b)
    with pytest.raises(ValidationError):
        submit(cast, WorkshopKind.STAKEHOLDERS)


# --- the application ---------------------------------------------------------------------


def test_submit_stores_sorted_unique_candidates_and_the_fiscal_year(cast: Cast) -> None:
    day1, day2 = datetime.date(2099, 4, 10), datetime.date(2099, 3, 20)
    dispatch = submit(cast, WorkshopKind.STAFF, day1, day2, day1)
    assert [c.day for c in dispatch.date_candidates.all()] == [day2, day1]
    assert dispatch.fiscal_year == 2098  # 2099-03-20 belongs to 2098年度
    assert dispatch.expected_participants == 30
    assert dispatch.group_count == 6


def test_submit_rejects_past_and_today(cast: Cast) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        submit(cast, WorkshopKind.STAFF, today, days_from_today(10))
    assert today.isoformat() in error.value.message_dict["date_candidates"][0]


def test_submit_rejects_more_than_three_candidates(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        submit(cast, WorkshopKind.STAFF, *[days_from_today(n) for n in (10, 11, 12, 13)])
    assert "3日まで" in error.value.message_dict["date_candidates"][0]


def test_submit_validates_numbers(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        services.dispatch_submit(
            user=cast.editor_a,
            municipality=cast.town_a,
            kind=WorkshopKind.STAFF,
            date_candidates=[days_from_today(30)],
            venue="",
            purpose="x",
            group_size=1,
        )
    assert set(error.value.message_dict) == {"venue", "group_size"}
    assert not Dispatch.objects.exists()


def test_submit_audits_and_mails_operators_and_applicant(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        dispatch = submit(cast, WorkshopKind.STAFF)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.municipality) == (
        "facilitation.dispatch.submit",
        cast.editor_a,
        cast.town_a,
    )
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["editor@a.example.jp", "op@example.jp"]
    assert "和歌山市" in mail.outbox[0].body
    assert str(dispatch.public_id) in mail.outbox[0].body


# --- matching: certification, availability, conflicts ----------------------------------


def test_lapsed_certification_cannot_be_matched(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    lapsed = make_facilitator(
        None,
        "デモ 期限切れ",
        training_completed_on=days_from_today(-800),
        certification_valid_until=days_from_today(9),
    )
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    with pytest.raises(ValidationError) as error:
        services.dispatch_propose(
            user=cast.operator, dispatch=dispatch, facilitator=lapsed, workshop_date=day
        )
    assert "更新研修" in error.value.message_dict["facilitator"][0]
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.facilitator) == (S.SUBMITTED, None)


def test_certification_valid_through_the_workshop_day_can_be_matched(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    renewed = make_facilitator(None, "デモ 当日まで", certification_valid_until=day)
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    services.dispatch_propose(
        user=cast.operator, dispatch=dispatch, facilitator=renewed, workshop_date=day
    )
    assert dispatch.__class__.objects.get(pk=dispatch.pk).state == S.PROPOSED


def test_decide_rechecks_certification(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.ACCEPTED, day=days_from_today(10))
    cast.facilitator.certification_valid_until = days_from_today(5)
    cast.facilitator.save()
    with pytest.raises(ValidationError, match="認定が実施日に有効ではありません"):
        services.dispatch_decide(user=cast.operator, dispatch=dispatch)
    dispatch.refresh_from_db()
    assert dispatch.state == S.ACCEPTED


@pytest.mark.parametrize("booked_state", [S.PROPOSED, S.ACCEPTED, S.DECIDED, S.NOTIFIED])
def test_a_facilitator_cannot_be_booked_twice_on_one_day(
    cast: Cast, dispatch_in: Callable[..., Dispatch], booked_state: DispatchState
) -> None:
    day = days_from_today(10)
    dispatch_in(booked_state, day=day, town=cast.town_b)
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    with pytest.raises(ValidationError) as error:
        services.dispatch_propose(
            user=cast.operator, dispatch=dispatch, facilitator=cast.facilitator, workshop_date=day
        )
    assert "別の派遣が入っています" in error.value.message_dict["workshop_date"][0]


def test_a_cancelled_booking_frees_the_day(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    dispatch_in(S.CANCELLED, day=day, town=cast.town_b)
    dispatch_in(S.PROPOSED, day=days_from_today(11), town=cast.town_b)
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    services.dispatch_propose(
        user=cast.operator, dispatch=dispatch, facilitator=cast.facilitator, workshop_date=day
    )
    dispatch.refresh_from_db()
    assert dispatch.state == S.PROPOSED


def test_unavailable_period_and_weekday_block_matching(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    FacilitatorUnavailability.objects.create(
        facilitator=cast.facilitator, start=day - datetime.timedelta(days=1), end=day
    )
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    with pytest.raises(ValidationError, match="不在期間"):
        services.dispatch_propose(
            user=cast.operator, dispatch=dispatch, facilitator=cast.facilitator, workshop_date=day
        )
    cast.other_facilitator.available_weekdays = [(day.weekday() + 1) % 7]
    cast.other_facilitator.save()
    with pytest.raises(ValidationError, match="曜日"):
        services.dispatch_propose(
            user=cast.operator,
            dispatch=dispatch,
            facilitator=cast.other_facilitator,
            workshop_date=day,
        )


def test_inactive_facilitator_cannot_be_matched(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    cast.facilitator.is_active = False
    cast.facilitator.save()
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    with pytest.raises(ValidationError, match="派遣対象外"):
        services.dispatch_propose(
            user=cast.operator, dispatch=dispatch, facilitator=cast.facilitator, workshop_date=day
        )


def test_proposed_date_must_be_a_candidate(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.SUBMITTED, day=days_from_today(10))
    with pytest.raises(ValidationError, match="希望日から選んで"):
        services.dispatch_propose(
            user=cast.operator,
            dispatch=dispatch,
            facilitator=cast.facilitator,
            workshop_date=days_from_today(11),
        )


def test_decline_returns_to_matching_and_another_can_be_proposed(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    dispatch = dispatch_in(S.PROPOSED, day=day)
    services.dispatch_decline(user=cast.facilitator_user, dispatch=dispatch, reason="先約")
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.facilitator, dispatch.workshop_date) == (
        S.SUBMITTED,
        None,
        None,
    )
    services.dispatch_propose(
        user=cast.operator,
        dispatch=dispatch,
        facilitator=cast.other_facilitator,
        workshop_date=day,
    )
    dispatch.refresh_from_db()
    assert dispatch.facilitator == cast.other_facilitator


# --- workshop, reports, payment ----------------------------------------------------------


def test_hold_is_not_possible_before_the_workshop_day(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.NOTIFIED, day=days_from_today(1))
    with pytest.raises(ValidationError, match="実施日"):
        services.dispatch_hold(user=cast.editor_a, dispatch=dispatch)


def test_a_role_reports_once(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.HELD)
    data = ReportInput(participants=25, group_count=5, summary="予定どおり実施")
    services.dispatch_report_organiser(user=cast.editor_a, dispatch=dispatch, data=data)
    with pytest.raises(TransitionNotAllowed):
        services.dispatch_report_organiser(user=cast.admin_a, dispatch=dispatch, data=data)
    assert WorkshopReport.objects.count() == 1


def test_report_is_validated_and_nothing_is_written(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.HELD)
    with pytest.raises(ValidationError) as error:
        services.dispatch_report_facilitator(
            user=cast.facilitator_user,
            dispatch=dispatch,
            data=ReportInput(participants=9999, group_count=5, summary=""),
        )
    assert set(error.value.message_dict) == {"participants", "summary"}
    dispatch.refresh_from_db()
    assert dispatch.state == S.HELD
    assert not WorkshopReport.objects.exists()


def test_paid_on_must_lie_between_workshop_and_today(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.REPORTED, day=days_from_today(-5))
    for wrong in (days_from_today(-6), days_from_today(1)):
        with pytest.raises(ValidationError):
            services.dispatch_mark_paid(
                user=cast.operator, dispatch=dispatch, paid_on=wrong, fee_yen=30000
            )
    with pytest.raises(ValidationError):
        services.dispatch_mark_paid(
            user=cast.operator, dispatch=dispatch, paid_on=days_from_today(-1), fee_yen=-1
        )
    services.dispatch_mark_paid(
        user=cast.operator,
        dispatch=dispatch,
        paid_on=days_from_today(-1),
        fee_yen=30000,
        travel_expenses_yen=4560,
    )
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.paid_on, dispatch.fee_yen, dispatch.travel_expenses_yen) == (
        S.PAID,
        days_from_today(-1),
        30000,
        4560,
    )
    assert AuditEntry.objects.get().details["fee_yen"] == "30000"


def test_cancel_needs_a_reason(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.dispatch_cancel(user=cast.editor_a, dispatch=dispatch, reason="  ")
    dispatch.refresh_from_db()
    assert dispatch.state == S.SUBMITTED


def test_whole_flow_audits_and_mails_each_step(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    day = days_from_today(14)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        dispatch = submit(cast, WorkshopKind.STAFF, day)
        services.dispatch_propose(
            user=cast.operator, dispatch=dispatch, facilitator=cast.facilitator, workshop_date=day
        )
        services.dispatch_accept(user=cast.facilitator_user, dispatch=dispatch)
        services.dispatch_decide(user=cast.operator, dispatch=dispatch)
        services.dispatch_notify(user=cast.operator, dispatch=dispatch)
    recipients = [sorted(m.to) for m in mail.outbox]
    assert recipients == [
        ["editor@a.example.jp", "op@example.jp"],
        ["fac@example.jp"],
        ["op@example.jp"],
        ["fac@example.jp"],
        ["editor@a.example.jp"],
    ]
    assert "派遣決定のお知らせ" in mail.outbox[-1].subject
    assert "デモ 進行役A" in mail.outbox[-1].body
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "facilitation.dispatch.submit",
        "facilitation.dispatch.propose",
        "facilitation.dispatch.accept",
        "facilitation.dispatch.decide",
        "facilitation.dispatch.notify",
    ]
