"""Abstract building blocks shared by the domain apps."""

from __future__ import annotations

from django.db import models


class BaseModel(models.Model):
    """Timestamps every domain row carries (作成日時・更新日時)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
