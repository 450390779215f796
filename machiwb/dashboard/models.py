"""Favourites (お気に入り): dashboard selections a signed-in user keeps for later."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from machiwb.core.models import BaseModel


class Favorite(BaseModel):
    """お気に入り: one dashboard selection (its URL query) kept by a user."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_favorites"
    )
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    query = models.CharField(_("表示条件"), max_length=500)
    label = models.CharField(_("名前"), max_length=200)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("お気に入り")
        verbose_name_plural = _("お気に入り")
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="favorite_unique_per_user"),
        ]

    def __str__(self) -> str:
        return self.label
