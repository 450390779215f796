"""The reviewed gate for municipality-scoped access (自治体ごとの権限確認).

Every view that acts for a municipality goes through ``access_municipality_for_staff``. A
municipality the user does not belong to is a 404, identical to one that does not exist, so
nobody can probe which municipalities exist behind the staff screens.
"""

from __future__ import annotations

from django.http import Http404

from machiwb.accounts.models import ROLE_RANK, Membership, Role, User
from machiwb.regions.models import Municipality


def membership_role(*, user: User, municipality: Municipality) -> Role | None:
    """The user's role in the municipality, or None."""
    if not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(user=user, municipality=municipality)
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role is not None else None


def has_role(*, user: User, municipality: Municipality, minimum: Role) -> bool:
    role = membership_role(user=user, municipality=municipality)
    if role is None:
        return False
    return ROLE_RANK[role] >= ROLE_RANK[minimum]


def access_municipality_for_staff(
    *, user: User, municipality_code: str, minimum: Role = Role.VIEWER
) -> Municipality:
    """Return the municipality if ``user`` holds at least ``minimum`` there, else 404."""
    if not user.is_authenticated:
        raise Http404
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        raise Http404
    if not has_role(user=user, municipality=municipality, minimum=minimum):
        raise Http404
    return municipality


def access_municipality_for_account_admin(*, user: User, municipality_code: str) -> Municipality:
    """The municipality whose staff accounts ``user`` may manage, else 404.

    Operators manage every municipality's accounts (運営者); a municipality admin (管理者)
    manages their own municipality's.
    """
    if user.is_authenticated and user.is_operator:
        municipality = Municipality.objects.filter(code=municipality_code).first()
        if municipality is None:
            raise Http404
        return municipality
    return access_municipality_for_staff(
        user=user, municipality_code=municipality_code, minimum=Role.ADMIN
    )
