"""Prefectures and municipalities keyed by 全国地方公共団体コード (地域マスタ)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from machiwb.core.models import BaseModel
from machiwb.regions.codes import validate_lg_code


class Prefecture(BaseModel):
    """都道府県. ``code`` is the 6-digit 団体コード (e.g. 010006 for 北海道)."""

    code = models.CharField(
        _("団体コード"), max_length=6, primary_key=True, validators=[validate_lg_code]
    )
    pref_code = models.CharField(_("都道府県番号"), max_length=2, unique=True)
    name = models.CharField(_("名称"), max_length=10)
    name_kana = models.CharField(_("よみ（カタカナ）"), max_length=30)
    name_hiragana = models.CharField(_("よみ（ひらがな）"), max_length=30)
    name_en = models.CharField(_("英語名"), max_length=30)
    website = models.URLField(_("ウェブサイト"), blank=True)

    class Meta:
        ordering = ["pref_code"]
        verbose_name = _("都道府県")
        verbose_name_plural = pgettext_lazy("model plural", "都道府県")

    def __str__(self) -> str:
        return self.name


class MunicipalityKind(models.TextChoices):
    """Types of 市区町村 (the prefecture is its own model)."""

    DESIGNATED_CITY = "designated_city", _("政令指定都市")
    DESIGNATED_WARD = "designated_ward", _("行政区")
    CITY = "city", _("市")
    SPECIAL_WARD = "special_ward", _("特別区")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")


class Municipality(BaseModel):
    """市区町村 or 政令市の行政区, the tenant of surveys and the unit of every indicator.

    Rows are never deleted: a municipality that disappears from the official list (a merger)
    gets ``valid_to`` so that old survey years keep pointing at it.
    """

    code = models.CharField(
        _("団体コード"), max_length=6, primary_key=True, validators=[validate_lg_code]
    )
    code5 = models.CharField(_("標準地域コード"), max_length=5, unique=True)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        help_text=_("行政区の場合、その政令指定都市"),
    )
    kind = models.CharField(_("種別"), max_length=20, choices=MunicipalityKind.choices)
    name = models.CharField(_("名称"), max_length=30, db_index=True)
    name_kana = models.CharField(_("よみ（カタカナ）"), max_length=60)
    name_hiragana = models.CharField(_("よみ（ひらがな）"), max_length=60, db_index=True)
    county = models.CharField(_("郡・振興局"), max_length=30, blank=True)
    designation = models.CharField(
        _("指定都市等の区分"),
        max_length=20,
        blank=True,
        help_text=_("中核市・施行時特例市など（2022年7月時点）"),
    )
    is_northern_territories = models.BooleanField(_("北方領土の村"), default=False)
    population_census2020 = models.PositiveIntegerField(
        _("人口（令和2年国勢調査）"), null=True, blank=True
    )
    population_census2025 = models.PositiveIntegerField(
        _("人口（令和7年国勢調査 速報）"), null=True, blank=True
    )
    population_resident = models.PositiveIntegerField(
        _("人口（住民基本台帳 2025年1月1日）"), null=True, blank=True
    )
    households_resident = models.PositiveIntegerField(
        _("世帯数（住民基本台帳 2025年1月1日）"), null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("面積（km²）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    website = models.URLField(_("ウェブサイト"), blank=True)
    valid_from = models.DateField(_("有効期間の開始"), null=True, blank=True)
    valid_to = models.DateField(
        _("有効期間の終了"), null=True, blank=True, help_text=_("合併などで廃止された日の前日")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("市区町村")
        verbose_name_plural = pgettext_lazy("model plural", "市区町村")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(kind="designated_ward"),
                name="municipality_only_wards_have_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def reference_population(self) -> int | None:
        """Population used by the scoring rules (2020 国勢調査, indicator-spec §4)."""
        return self.population_census2020


class RegionDataLoad(BaseModel):
    """One run of ``load_regions``: which source files (by checksum) produced the rows."""

    files = models.JSONField(help_text=_("ファイル名 → SHA-256"))
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("地域マスタの読込")
        verbose_name_plural = _("地域マスタの読込")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"
