"""Municipal logic trees, their saved versions, node comments and operator KPI candidates."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from machiwb.core.models import BaseModel


class LogicTree(BaseModel):
    """A municipality's logic tree (ロジックツリー): the working copy edited across departments.

    ``document`` is the validated JSON document (see document.py); ``revision`` grows with
    every edit so that an edit made on a stale page is refused instead of overwriting another
    department's change.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="logic_trees"
    )
    title = models.CharField(_("名称"), max_length=100)
    reference_code = models.CharField(
        _("元にした参照ツリー"), max_length=40, blank=True, help_text=_("空欄はゼロから作成")
    )
    document = models.JSONField(_("ツリーの内容"))
    revision = models.PositiveIntegerField(_("編集回数"), default=1)
    share_token = models.UUIDField(_("閲覧用リンクの鍵"), null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["municipality", "title"]
        verbose_name = _("ロジックツリー")
        verbose_name_plural = _("ロジックツリー")

    def __str__(self) -> str:
        return self.title


class LogicTreeVersion(models.Model):
    """A named, immutable snapshot of a tree (たたき台, 第2版 …)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tree = models.ForeignKey(LogicTree, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版番号"))
    name = models.CharField(_("版の名前"), max_length=50)
    document = models.JSONField(_("ツリーの内容"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["tree", "number"]
        verbose_name = _("ロジックツリーの版")
        verbose_name_plural = _("ロジックツリーの版")
        constraints = [
            models.UniqueConstraint(fields=["tree", "number"], name="logictree_version_number"),
            models.UniqueConstraint(fields=["tree", "name"], name="logictree_version_name"),
        ]

    def __str__(self) -> str:
        return f"{self.tree} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a saved version is immutable")
        super().save(*args, **kwargs)


class NodeComment(models.Model):
    """A comment on one node, for discussion across departments (ノードへのコメント)."""

    tree = models.ForeignKey(LogicTree, on_delete=models.CASCADE, related_name="comments")
    node_id = models.CharField(_("ノード"), max_length=40)
    body = models.TextField(_("コメント"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("ノードへのコメント")
        verbose_name_plural = _("ノードへのコメント")

    def __str__(self) -> str:
        return f"{self.tree} {self.node_id}"


class KpiKind(models.TextChoices):
    OUTPUT = "output", _("アウトプット指標")
    OUTCOME = "outcome", _("アウトカム指標")


class KpiCandidate(BaseModel):
    """An output or outcome KPI the operator adds to the catalog of KPI candidates."""

    code = models.CharField(
        _("コード"),
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9_]+$", _("半角英小文字・数字・_ で入力してください。"))
        ],
    )
    name_ja = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("種類"), max_length=10, choices=KpiKind.choices)
    unit = models.CharField(_("単位"), max_length=30, blank=True)
    description = models.TextField(_("説明"), blank=True)
    is_active = models.BooleanField(_("候補に表示"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("KPI候補")
        verbose_name_plural = _("KPI候補")

    def __str__(self) -> str:
        return self.name_ja
