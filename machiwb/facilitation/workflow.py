"""The dispatch state machine (派遣の状態遷移), as plain data.

Each named transition lists the states it may start from and the state it leads to, and who
may perform it. ``services.py`` has one function per transition that consults this table; no
other code changes ``Dispatch.state``.
"""

from __future__ import annotations

import enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from machiwb.facilitation.models import DispatchState as S


class Transition(enum.StrEnum):
    """Named transitions (遷移). The value is used in URLs and audit-log actions."""

    SUBMIT = "submit"
    PROPOSE = "propose"
    ACCEPT = "accept"
    DECLINE = "decline"
    DECIDE = "decide"
    NOTIFY = "notify"
    HOLD = "hold"
    REPORT_ORGANISER = "report_organiser"
    REPORT_FACILITATOR = "report_facilitator"
    MARK_PAID = "mark_paid"
    CANCEL = "cancel"


class Actor(enum.StrEnum):
    """Who acts: municipality staff (editor or admin), the operator, the proposed facilitator."""

    STAFF = "staff"
    OPERATOR = "operator"
    FACILITATOR = "facilitator"


#: transition → {from state: to state}. SUBMIT creates the dispatch, so it starts from None.
TRANSITIONS: dict[Transition, dict[S | None, S]] = {
    Transition.SUBMIT: {None: S.SUBMITTED},
    Transition.PROPOSE: {S.SUBMITTED: S.PROPOSED},
    Transition.ACCEPT: {S.PROPOSED: S.ACCEPTED},
    Transition.DECLINE: {S.PROPOSED: S.SUBMITTED},
    Transition.DECIDE: {S.ACCEPTED: S.DECIDED},
    Transition.NOTIFY: {S.DECIDED: S.NOTIFIED},
    Transition.HOLD: {S.NOTIFIED: S.HELD},
    Transition.REPORT_ORGANISER: {
        S.HELD: S.ORGANISER_REPORTED,
        S.FACILITATOR_REPORTED: S.REPORTED,
    },
    Transition.REPORT_FACILITATOR: {
        S.HELD: S.FACILITATOR_REPORTED,
        S.ORGANISER_REPORTED: S.REPORTED,
    },
    Transition.MARK_PAID: {S.REPORTED: S.PAID},
    Transition.CANCEL: {
        S.SUBMITTED: S.CANCELLED,
        S.PROPOSED: S.CANCELLED,
        S.ACCEPTED: S.CANCELLED,
        S.DECIDED: S.CANCELLED,
        S.NOTIFIED: S.CANCELLED,
    },
}

#: transition → who may perform it.
ACTORS: dict[Transition, frozenset[Actor]] = {
    Transition.SUBMIT: frozenset({Actor.STAFF}),
    Transition.PROPOSE: frozenset({Actor.OPERATOR}),
    Transition.ACCEPT: frozenset({Actor.FACILITATOR}),
    Transition.DECLINE: frozenset({Actor.FACILITATOR}),
    Transition.DECIDE: frozenset({Actor.OPERATOR}),
    Transition.NOTIFY: frozenset({Actor.OPERATOR}),
    Transition.HOLD: frozenset({Actor.STAFF, Actor.OPERATOR}),
    Transition.REPORT_ORGANISER: frozenset({Actor.STAFF}),
    Transition.REPORT_FACILITATOR: frozenset({Actor.FACILITATOR}),
    Transition.MARK_PAID: frozenset({Actor.OPERATOR}),
    Transition.CANCEL: frozenset({Actor.STAFF, Actor.OPERATOR}),
}

#: Button labels on the dispatch page.
LABELS: dict[Transition, Promise] = {
    Transition.SUBMIT: _("申請する"),
    Transition.PROPOSE: _("ファシリテーターに打診する"),
    Transition.ACCEPT: _("引き受ける"),
    Transition.DECLINE: _("辞退する"),
    Transition.DECIDE: _("派遣者を決定する"),
    Transition.NOTIFY: _("自治体に決定を通知する"),
    Transition.HOLD: _("実施済みにする"),
    Transition.REPORT_ORGANISER: _("主催者報告を出す"),
    Transition.REPORT_FACILITATOR: _("ファシリテーター報告を出す"),
    Transition.MARK_PAID: _("支払済みにする"),
    Transition.CANCEL: _("取り消す"),
}


def next_state(transition: Transition, state: S | None) -> S | None:
    """The state ``transition`` leads to from ``state``, or None when it is not allowed there."""
    return TRANSITIONS[transition].get(state)


def available_transitions(state: S, actors: frozenset[Actor]) -> list[Transition]:
    """Transitions that ``actors`` may perform from ``state``, in the table's order."""
    return [
        transition
        for transition, moves in TRANSITIONS.items()
        if state in moves and ACTORS[transition] & actors
    ]
