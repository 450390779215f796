"""The gates for dispatches (派遣の権限確認).

A dispatch is visible to the operator, to the staff of its municipality and to the facilitator
it was proposed to; to anyone else it is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from machiwb.accounts.access import has_role
from machiwb.accounts.models import Role, User
from machiwb.facilitation.models import Dispatch
from machiwb.facilitation.workflow import Actor


def dispatch_actors(*, user: User, dispatch: Dispatch) -> frozenset[Actor]:
    """The capacities in which ``user`` may act on ``dispatch`` (empty when none).

    Staff means editor or admin of the dispatch's municipality: viewers may read, not act.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    actors: set[Actor] = set()
    if user.is_operator:
        actors.add(Actor.OPERATOR)
    if has_role(user=user, municipality=dispatch.municipality, minimum=Role.EDITOR):
        actors.add(Actor.STAFF)
    if dispatch.facilitator is not None and dispatch.facilitator.user_id == user.pk:
        actors.add(Actor.FACILITATOR)
    return frozenset(actors)


def can_view_dispatch(*, user: User, dispatch: Dispatch) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(
        dispatch_actors(user=user, dispatch=dispatch)
        or has_role(user=user, municipality=dispatch.municipality, minimum=Role.VIEWER)
    )


def access_dispatch_by_public_id(*, user: User, public_id: uuid.UUID) -> Dispatch:
    """Return the dispatch if ``user`` may see it, else 404 (same as a missing one)."""
    dispatch = (
        Dispatch.objects.select_related(
            "municipality__prefecture", "facilitator__user", "applicant"
        )
        .filter(public_id=public_id)
        .first()
    )
    if dispatch is None:
        raise Http404
    if not can_view_dispatch(user=user, dispatch=dispatch):
        raise Http404
    return dispatch
