"""よくある質問 (FAQ): questions and answers the operator edits in the admin, in Markdown.

Each entry is written in Japanese; an English version is optional and shown in the English UI.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from machiwb.core.models import BaseModel


class FaqEntry(BaseModel):
    """One question and its answer (よくある質問の項目); the answer is Markdown."""

    class Topic(models.TextChoices):
        INDICATORS = "indicators", _("指標について")
        DASHBOARD = "dashboard", _("ダッシュボード")
        SURVEY = "survey", _("調査")
        USING = "using", _("活用・研修")
        ACCOUNT = "account", _("アカウント・運用")

    topic = models.CharField(_("分類"), max_length=20, choices=Topic.choices)
    question = models.CharField(_("質問"), max_length=200)
    answer = models.TextField(
        _("回答（Markdown）"),
        help_text=_("見出し・箇条書き・リンク・表が使えます。HTMLと画像は表示されません。"),
    )
    question_en = models.CharField(
        _("質問（英語）"),
        max_length=200,
        blank=True,
        help_text=_("空欄なら英語表示でも日本語の質問を表示します。"),
    )
    answer_en = models.TextField(
        _("回答（英語・Markdown）"),
        blank=True,
        help_text=_("空欄なら英語表示でも日本語の回答を表示します。"),
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=100)
    published = models.BooleanField(_("公開"), default=True)

    class Meta:
        ordering = ["topic", "order", "id"]
        verbose_name = _("よくある質問")
        verbose_name_plural = _("よくある質問")

    def __str__(self) -> str:
        return self.question
