"""Every transition from every state, and every role for every transition."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from machiwb.accounts.models import Membership, Role, User
from machiwb.audit.models import AuditEntry
from machiwb.facilitation import services
from machiwb.facilitation.models import Dispatch, DispatchState, WorkshopKind
from machiwb.facilitation.services import ReportInput, TransitionNotAllowed
from machiwb.facilitation.tests.conftest import Cast, days_from_today
from machiwb.facilitation.workflow import Actor, Transition, available_transitions

pytestmark = pytest.mark.django_db

S = DispatchState
T = Transition

#: The programme's flow, written out independently of workflow.TRANSITIONS.
EXPECTED = {
    (T.PROPOSE, S.SUBMITTED): S.PROPOSED,
    (T.ACCEPT, S.PROPOSED): S.ACCEPTED,
    (T.DECLINE, S.PROPOSED): S.SUBMITTED,
    (T.DECIDE, S.ACCEPTED): S.DECIDED,
    (T.NOTIFY, S.DECIDED): S.NOTIFIED,
    (T.HOLD, S.NOTIFIED): S.HELD,
    (T.REPORT_ORGANISER, S.HELD): S.ORGANISER_REPORTED,
    (T.REPORT_ORGANISER, S.FACILITATOR_REPORTED): S.REPORTED,
    (T.REPORT_FACILITATOR, S.HELD): S.FACILITATOR_REPORTED,
    (T.REPORT_FACILITATOR, S.ORGANISER_REPORTED): S.REPORTED,
    (T.MARK_PAID, S.REPORTED): S.PAID,
    (T.CANCEL, S.SUBMITTED): S.CANCELLED,
    (T.CANCEL, S.PROPOSED): S.CANCELLED,
    (T.CANCEL, S.ACCEPTED): S.CANCELLED,
    (T.CANCEL, S.DECIDED): S.CANCELLED,
    (T.CANCEL, S.NOTIFIED): S.CANCELLED,
}

REPORT = ReportInput(participants=28, group_count=6, summary="午前は講義、午後はグループワーク")


def perform(transition: Transition, *, user: User, dispatch: Dispatch, cast: Cast) -> Dispatch:
    """Call the service of ``transition`` with valid arguments."""
    if transition == T.PROPOSE:
        return services.dispatch_propose(
            user=user,
            dispatch=dispatch,
            facilitator=cast.other_facilitator,
            workshop_date=days_from_today(1),
        )
    if transition == T.ACCEPT:
        return services.dispatch_accept(user=user, dispatch=dispatch)
    if transition == T.DECLINE:
        return services.dispatch_decline(user=user, dispatch=dispatch, reason="都合がつかない")
    if transition == T.DECIDE:
        return services.dispatch_decide(user=user, dispatch=dispatch)
    if transition == T.NOTIFY:
        return services.dispatch_notify(user=user, dispatch=dispatch)
    if transition == T.HOLD:
        return services.dispatch_hold(user=user, dispatch=dispatch)
    if transition == T.REPORT_ORGANISER:
        return services.dispatch_report_organiser(user=user, dispatch=dispatch, data=REPORT)
    if transition == T.REPORT_FACILITATOR:
        return services.dispatch_report_facilitator(user=user, dispatch=dispatch, data=REPORT)
    if transition == T.MARK_PAID:
        return services.dispatch_mark_paid(
            user=user, dispatch=dispatch, paid_on=timezone.localdate(), fee_yen=30000
        )
    assert transition == T.CANCEL
    return services.dispatch_cancel(user=user, dispatch=dispatch, reason="日程の都合")


def all_roles_user(cast: Cast) -> User:
    """One person who is operator, editor of town A and the assigned facilitator at once."""
    user = cast.facilitator_user
    user.is_operator = True
    user.save(update_fields=["is_operator"])
    Membership.objects.create(user=user, municipality=cast.town_a, role=Role.EDITOR)
    return user


def candidate_day(transition: Transition) -> datetime.date:
    # A proposal needs a future date; everything else here happens on the day itself.
    return days_from_today(1) if transition == T.PROPOSE else timezone.localdate()


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("transition", [t for t in T if t != T.SUBMIT])
def test_transition_from_state(
    cast: Cast,
    dispatch_in: Callable[..., Dispatch],
    transition: Transition,
    state: DispatchState,
) -> None:
    # given a dispatch in `state` and a user holding every role
    user = all_roles_user(cast)
    dispatch = dispatch_in(state, day=candidate_day(transition))
    expected = EXPECTED.get((transition, state))
    # when / then
    if expected is None:
        with pytest.raises((TransitionNotAllowed, PermissionDenied)):
            perform(transition, user=user, dispatch=dispatch, cast=cast)
        dispatch.refresh_from_db()
        assert dispatch.state == state
        assert not AuditEntry.objects.filter(action__startswith="facilitation.dispatch").exists()
    else:
        perform(transition, user=user, dispatch=dispatch, cast=cast)
        dispatch.refresh_from_db()
        assert dispatch.state == expected
        entry = AuditEntry.objects.get()
        assert entry.action == f"facilitation.dispatch.{transition}"
        assert entry.municipality == cast.town_a
        assert entry.object_id == str(dispatch.public_id)
        assert entry.details["from"] == state.value
        assert entry.details["to"] == expected.value


#: Who may perform each transition (names of Cast attributes).
ALLOWED_ROLES = {
    T.PROPOSE: {"operator"},
    T.ACCEPT: {"facilitator_user"},
    T.DECLINE: {"facilitator_user"},
    T.DECIDE: {"operator"},
    T.NOTIFY: {"operator"},
    T.HOLD: {"operator", "admin_a", "editor_a"},
    T.REPORT_ORGANISER: {"admin_a", "editor_a"},
    T.REPORT_FACILITATOR: {"facilitator_user"},
    T.MARK_PAID: {"operator"},
    T.CANCEL: {"operator", "admin_a", "editor_a"},
}
ROLES = [
    "operator",
    "admin_a",
    "editor_a",
    "viewer_a",
    "editor_b",
    "facilitator_user",
    "other_facilitator_user",
]
START = {
    T.PROPOSE: S.SUBMITTED,
    T.ACCEPT: S.PROPOSED,
    T.DECLINE: S.PROPOSED,
    T.DECIDE: S.ACCEPTED,
    T.NOTIFY: S.DECIDED,
    T.HOLD: S.NOTIFIED,
    T.REPORT_ORGANISER: S.HELD,
    T.REPORT_FACILITATOR: S.HELD,
    T.MARK_PAID: S.REPORTED,
    T.CANCEL: S.SUBMITTED,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", list(ALLOWED_ROLES))
def test_permission_per_role(
    cast: Cast, dispatch_in: Callable[..., Dispatch], transition: Transition, role: str
) -> None:
    dispatch = dispatch_in(START[transition], day=candidate_day(transition))
    user = getattr(cast, role)
    if role in ALLOWED_ROLES[transition]:
        perform(transition, user=user, dispatch=dispatch, cast=cast)
        assert AuditEntry.objects.get().actor == user
    else:
        with pytest.raises(PermissionDenied):
            perform(transition, user=user, dispatch=dispatch, cast=cast)
        dispatch.refresh_from_db()
        assert dispatch.state == START[transition]
        assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin_a", True),
        ("editor_a", True),
        ("viewer_a", False),
        ("editor_b", False),
        ("operator", False),
        ("facilitator_user", False),
    ],
)
def test_submit_permission_per_role(cast: Cast, role: str, allowed: bool) -> None:
    def submit() -> Dispatch:
        return services.dispatch_submit(
            user=getattr(cast, role),
            municipality=cast.town_a,
            kind=WorkshopKind.STAFF,
            date_candidates=[days_from_today(30)],
            venue="市役所",
            purpose="職員研修",
        )

    if allowed:
        assert submit().state == S.SUBMITTED
    else:
        with pytest.raises(PermissionDenied):
            submit()
        assert not Dispatch.objects.exists()


def test_available_transitions_follow_the_actor() -> None:
    assert available_transitions(S.PROPOSED, frozenset({Actor.FACILITATOR})) == [
        T.ACCEPT,
        T.DECLINE,
    ]
    assert available_transitions(S.PROPOSED, frozenset({Actor.OPERATOR})) == [T.CANCEL]
    assert available_transitions(S.PAID, frozenset(Actor)) == []
