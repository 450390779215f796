"""The indicator catalog (指標カタログ), versioned per survey instrument.

One ``CatalogVersion`` per instrument (``fy2022`` the old one, ``fy2023`` from FY2023 on), loaded
from the definition files in ``machiwb/indicators/catalog/``. The child rows mirror the file so
that other apps can join on them; the file itself is kept in ``definition`` with its checksum.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from machiwb.core.models import BaseModel


class CatalogVersion(BaseModel):
    """指標カタログの版: one survey instrument with its categories, items and KPIs."""

    code = models.CharField(_("版"), max_length=20, unique=True, help_text=_("例：fy2023"))
    title = models.CharField(_("名称"), max_length=200)
    first_fiscal_year = models.PositiveSmallIntegerField(_("適用開始年度"))
    last_fiscal_year = models.PositiveSmallIntegerField(
        _("適用終了年度"), null=True, blank=True, help_text=_("空欄は現行")
    )
    note = models.TextField(_("注記"), blank=True)
    definition = models.JSONField(_("定義ファイルの内容"))
    sha256 = models.CharField(_("定義ファイルのSHA-256"), max_length=64)
    source_name = models.CharField(_("定義ファイル名"), max_length=200)

    class Meta:
        ordering = ["first_fiscal_year"]
        verbose_name = _("指標カタログの版")
        verbose_name_plural = _("指標カタログの版")

    def __str__(self) -> str:
        return self.code


class FactorGroup(models.Model):
    """因子群 (生活環境・地域の人間関係・自分らしい生き方)."""

    catalog = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("コード"), max_length=40)
    name_ja = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英語名"), max_length=80)
    order = models.PositiveSmallIntegerField(_("表示順"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = _("因子群")
        verbose_name_plural = _("因子群")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="factor_group_unique"),
        ]

    def __str__(self) -> str:
        return self.name_ja


class Category(models.Model):
    """カテゴリー: one of the 24 areas scored both by survey (主観) and statistics (客観)."""

    catalog = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="categories")
    group = models.ForeignKey(FactorGroup, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("コード"), max_length=3, help_text=_("c01 … c24"))
    name_ja = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英語名"), max_length=80)
    order = models.PositiveSmallIntegerField(_("表示順"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = _("カテゴリー")
        verbose_name_plural = _("カテゴリー")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="category_unique"),
        ]

    def __str__(self) -> str:
        return self.name_ja


class OverallQuestion(models.Model):
    """全体設問 Q1–Q5 (幸福度・生活満足度など): shown as means and distributions, never 偏差値."""

    catalog = models.ForeignKey(
        CatalogVersion, on_delete=models.CASCADE, related_name="overall_questions"
    )
    code = models.CharField(_("コード"), max_length=2)
    label_ja = models.CharField(_("短い名称"), max_length=50)
    label_en = models.CharField(_("英語の短い名称"), max_length=80)
    text_ja = models.TextField(_("設問文"))
    text_en = models.TextField(_("設問文（英語）"))
    scale_min = models.SmallIntegerField(_("回答の最小値"))
    scale_max = models.SmallIntegerField(_("回答の最大値"))
    optional = models.BooleanField(_("任意設問"), default=False)

    class Meta:
        ordering = ["catalog", "code"]
        verbose_name = _("全体設問")
        verbose_name_plural = _("全体設問")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="overall_question_unique"),
        ]

    def __str__(self) -> str:
        return self.label_ja


class SurveyItem(models.Model):
    """カテゴリーの設問 (主観指標): answered on the 1–5 agreement scale."""

    catalog = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="items")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("コード"), max_length=6, help_text=_("回答の列名（例：c03_2）"))
    label_ja = models.CharField(_("公式の短い名称"), max_length=60)
    text_ja = models.TextField(_("設問文"))
    text_en = models.TextField(_("設問文（英語）"))
    reverse = models.BooleanField(_("逆転項目"), default=False, help_text=_("6 − 回答 で集計"))
    provisional = models.BooleanField(
        _("仮の文言"), default=False, help_text=_("公式の文言が公開資料で確認できないもの")
    )
    order = models.PositiveSmallIntegerField(_("表示順"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = _("設問")
        verbose_name_plural = _("設問")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="survey_item_unique"),
        ]

    def __str__(self) -> str:
        return self.label_ja


class Kpi(models.Model):
    """客観指標 (KPI), or a context statistic when it has no category (not scored)."""

    catalog = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="kpis")
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="kpis"
    )
    code = models.CharField(_("コード"), max_length=60)
    name_ja = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英語名"), max_length=150)
    unit = models.CharField(_("単位"), max_length=30)
    direction = models.SmallIntegerField(
        _("向き"), help_text=_("+1 は高いほど良い、−1 は低いほど良い、0 は採点しない参考統計")
    )
    source = models.CharField(_("出典"), max_length=300)
    vintage = models.CharField(_("データの時点"), max_length=30, blank=True)
    plausible_min = models.FloatField(_("妥当な範囲の下限"))
    plausible_max = models.FloatField(_("妥当な範囲の上限"))
    official = models.BooleanField(
        _("公式指標"), default=False, help_text=_("公開資料で確認できる公式KPI（偽は補助指標）")
    )
    order = models.PositiveSmallIntegerField(_("表示順"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = _("客観指標")
        verbose_name_plural = _("客観指標")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="kpi_unique"),
            models.CheckConstraint(
                condition=models.Q(direction__in=[-1, 1], category__isnull=False)
                | models.Q(direction=0, category__isnull=True),
                name="kpi_direction_matches_category",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ja
