"""Reads of the dashboard's own data: a user's favourites."""

from __future__ import annotations

from machiwb.accounts.models import User
from machiwb.dashboard.models import Favorite


def favorite_list(*, user: User) -> list[Favorite]:
    """The user's favourites in the order they were added."""
    return list(
        Favorite.objects.filter(user=user).select_related("municipality").order_by("created_at")
    )


def favorite_for(*, user: User, query: str) -> Favorite | None:
    return Favorite.objects.filter(user=user, query=query).first()
