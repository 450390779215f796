"""The indicator catalog (指標カタログ), versioned per survey instrument.

One ``CatalogVersion`` per instrument (``fy2022`` the old one, ``fy2023`` from FY2023 on), loaded
from the definition files in ``machiwb/indicators/catalog/``. The child rows mirror the file so
that other apps can join on them; the file itself is kept in ``definition`` with its checksum.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from machiwb.core.language import in_active_language
from machiwb.core.models import BaseModel
from machiwb.surveys.models import SurveyType


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

    @property
    def name(self) -> str:
        return in_active_language(self.name_ja, self.name_en)


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

    @property
    def name(self) -> str:
        return in_active_language(self.name_ja, self.name_en)


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
        verbose_name = pgettext_lazy("model", "設問")
        verbose_name_plural = pgettext_lazy("model plural", "設問")
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="survey_item_unique"),
        ]

    def __str__(self) -> str:
        return self.label_ja

    @property
    def text(self) -> str:
        return in_active_language(self.text_ja, self.text_en)


class KpiWording:
    """A KPI's name, unit, source and vintage in the reader's language (英語名 where given).

    Shared by the catalog's ``Kpi`` rows and the dashboard's ``KpiExplanation``.
    """

    name_ja: str
    name_en: str
    unit: str
    unit_en: str
    source: str
    source_en: str
    vintage: str
    vintage_en: str

    @property
    def name(self) -> str:
        return in_active_language(self.name_ja, self.name_en)

    @property
    def display_unit(self) -> str:
        return in_active_language(self.unit, self.unit_en)

    @property
    def display_source(self) -> str:
        return in_active_language(self.source, self.source_en)

    @property
    def display_vintage(self) -> str:
        return in_active_language(self.vintage, self.vintage_en)


class Kpi(KpiWording, models.Model):
    """客観指標 (KPI), or a context statistic when it has no category (not scored)."""

    catalog = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="kpis")
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="kpis"
    )
    code = models.CharField(_("コード"), max_length=60)
    name_ja = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英語名"), max_length=150)
    unit = models.CharField(_("単位"), max_length=30)
    unit_en = models.CharField(_("単位（英語）"), max_length=60, blank=True)
    direction = models.SmallIntegerField(
        _("向き"), help_text=_("+1 は高いほど良い、−1 は低いほど良い、0 は採点しない参考統計")
    )
    source = models.CharField(_("出典"), max_length=300)
    source_en = models.CharField(_("出典（英語）"), max_length=300, blank=True)
    vintage = models.CharField(_("データの時点"), max_length=30, blank=True)
    vintage_en = models.CharField(_("データの時点（英語）"), max_length=60, blank=True)
    plausible_min = models.FloatField(_("妥当な範囲の下限"))
    plausible_max = models.FloatField(_("妥当な範囲の上限"))
    official = models.BooleanField(
        _("公式指標"), default=False, help_text=_("公開資料で確認できる公式KPI（偽は補助指標）")
    )
    order = models.PositiveSmallIntegerField(_("表示順"))

    class Meta:
        ordering = ["catalog", "order"]
        verbose_name = pgettext_lazy("model", "客観指標")
        verbose_name_plural = pgettext_lazy("model plural", "客観指標")
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


class ScoreOrigin(models.TextChoices):
    COMPUTED = "computed", _("回答から算出")
    OFFICIAL = "official", _("公表結果の取込")


class ScoreRun(BaseModel):
    """One computation or import of results (算出結果) for a fiscal year and survey type.

    Runs are never changed after they are written: a recompute or a new import writes a new
    run and makes it the current one. ``inputs`` names everything that produced the results
    (files with checksums, KPI imports, response counts), ``reference`` the reference-set
    statistics used, and the two checksums make a recompute's reproducibility checkable.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    catalog = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="runs")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    survey_type = models.CharField(_("調査種別"), max_length=12, choices=SurveyType.choices)
    origin = models.CharField(_("由来"), max_length=10, choices=ScoreOrigin.choices)
    is_current = models.BooleanField(_("現行"), default=True)
    parameters = models.JSONField(_("算出の設定"), default=dict)
    reference = models.JSONField(_("基準集団の統計"), default=dict)
    inputs = models.JSONField(_("入力の来歴"), default=dict)
    layout = models.JSONField(
        _("結果の並び"), default=dict, help_text=_("items / categories / kpis のコードの順")
    )
    inputs_sha256 = models.CharField(_("入力のSHA-256"), max_length=64)
    results_sha256 = models.CharField(_("結果のSHA-256"), max_length=64)
    municipality_count = models.PositiveIntegerField(_("市区町村数"), default=0)
    response_count = models.PositiveIntegerField(_("回答数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("算出結果")
        verbose_name_plural = _("算出結果")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "survey_type"],
                condition=models.Q(is_current=True),
                name="score_run_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.survey_type} {self.origin}"


class WrittenJSONField(models.JSONField):
    """JSON kept exactly as written: PostgreSQL ``json`` (the text) instead of ``jsonb``.

    For result rows, which are written once by COPY and always read whole, never searched
    inside: ``jsonb`` would turn every number into a ``numeric`` on the way in (most of the
    time of writing a national run) and store them in about twice the space. SQLite keeps
    JSON as text either way.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if isinstance(value, str):  # jsonb and SQLite text are decoded here
            return super().from_db_value(value, expression, connection)
        return value  # psycopg decodes ``json`` itself


class ScoreCell(models.Model):
    """The results of one municipality and breakdown (内訳) in a run.

    ``breakdown`` is ``all``, ``age3`` (年代), ``gender2`` (性別) or ``age3_gender2``. The JSON
    fields hold parallel lists in the order of the run's ``layout`` (catalog order):
    ``items`` [実数[], 偏差値[], n[]] (``all`` only), ``categories`` [主観実数[], 主観偏差値[],
    n[], 客観偏差値[], KPIs with data[], KPIs in category[]] (the objective lists on ``all``
    only), ``kpis`` [value[], 偏差値[]] (``all`` only); ``overall`` is {q1: [mean, n, answer
    counts from the scale minimum]} (published rows: {answer: %}). Numbers keep 4 decimals;
    偏差値 are unclipped; ``n`` is null where a published source gives none.
    """

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="cells")
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    breakdown = models.CharField(_("内訳"), max_length=20)
    n = models.PositiveIntegerField(_("回答者数"), null=True, blank=True)
    items = WrittenJSONField(default=dict)
    categories = WrittenJSONField(default=dict)
    kpis = WrittenJSONField(default=dict)
    overall = WrittenJSONField(default=dict)

    class Meta:
        verbose_name = _("算出結果（自治体・内訳別）")
        verbose_name_plural = _("算出結果（自治体・内訳別）")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "municipality", "breakdown"], name="score_cell_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.breakdown}"


class KpiImport(BaseModel):
    """One accepted KPI values file (客観指標データの取込) and its provenance."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    file_name = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_format = models.CharField(
        pgettext_lazy("file format", "形式"), max_length=20, help_text=_("utf-8, cp932, xlsx など")
    )
    row_count = models.PositiveIntegerField(_("行数"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("客観指標データの取込")
        verbose_name_plural = _("客観指標データの取込")

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.file_name}"


class KpiValue(models.Model):
    """A KPI value of a municipality for a fiscal year (客観指標の値), with the file it came from."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kpi_code = models.CharField(_("指標コード"), max_length=60)
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    value = models.FloatField(_("値"))
    note = models.CharField(_("出典の注記"), max_length=300, blank=True)
    source_import = models.ForeignKey(KpiImport, on_delete=models.PROTECT, related_name="values")

    class Meta:
        verbose_name = _("客観指標の値")
        verbose_name_plural = _("客観指標の値")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "kpi_code", "municipality"], name="kpi_value_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.kpi_code} {self.municipality_id}"
