"""Writes of the dashboard: favourites (お気に入り) of signed-in users."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.dashboard.models import Favorite
from machiwb.dashboard.selection import Selection
from machiwb.regions.models import Municipality

MAX_FAVORITES = 50


class FavoriteError(Exception):
    """A favourite that cannot be kept, with the reason in words."""


def favorite_add(*, user: User, selection: Selection, label: str) -> Favorite:
    """Keep a selection as a favourite; adding the same selection again returns the existing one."""
    if not selection.municipality:
        raise FavoriteError(_("市区町村を選んでからお気に入りに追加してください。"))
    municipality = Municipality.objects.filter(code=selection.municipality).first()
    if municipality is None:
        raise FavoriteError(_("この市区町村は見つかりませんでした。"))
    query = selection.query()
    with transaction.atomic():
        existing = Favorite.objects.filter(user=user, query=query).first()
        if existing is not None:
            return existing
        if Favorite.objects.filter(user=user).count() >= MAX_FAVORITES:
            raise FavoriteError(
                _("お気に入りは%(max)d件までです。不要なものを外してください。")
                % {"max": MAX_FAVORITES}
            )
        favorite = Favorite.objects.create(
            user=user, municipality=municipality, query=query, label=label[:200]
        )
        audit_log_write(
            actor=user,
            action="dashboard.favorite_add",
            target=favorite,
            summary=f"お気に入りに追加：{favorite.label}",
        )
    return favorite


def favorite_remove(*, user: User, public_id: uuid.UUID) -> bool:
    """Remove one of the user's favourites; False when it is not theirs or already gone."""
    with transaction.atomic():
        favorite = Favorite.objects.filter(user=user, public_id=public_id).first()
        if favorite is None:
            return False
        audit_log_write(
            actor=user,
            action="dashboard.favorite_remove",
            target=favorite,
            summary=f"お気に入りから外す：{favorite.label}",
        )
        favorite.delete()
    return True
