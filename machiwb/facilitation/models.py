"""Facilitator registry and workshop dispatches (ファシリテーター紹介・派遣).

The flow follows the national programme: ① 派遣申請 (a municipality applies) → ② マッチング・
派遣者決定 (the operator proposes a facilitator, who accepts or declines; the operator decides and
notifies the municipality) → ③ ワークショップ実施 → ④ 実施報告 (organiser and facilitator) and 支払.
The allowed moves between states are listed in ``workflow.py``; every move is one service.
"""

from __future__ import annotations

import datetime
import math
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machiwb.core.models import BaseModel


class WorkshopKind(models.TextChoices):
    """Who the workshop is for (ワークショップの種類)."""

    STAFF = "staff", _("職員向け")
    STAKEHOLDERS = "stakeholders", _("地域の事業者・NPO・大学等向け")
    RESIDENTS = "residents", _("住民・学生向け")


#: Kinds a municipality may apply for only after it has held a staff workshop.
KINDS_AFTER_STAFF_WORKSHOP = frozenset({WorkshopKind.STAKEHOLDERS, WorkshopKind.RESIDENTS})


class Specialty(models.TextChoices):
    """What a facilitator is trained or experienced in (得意分野)."""

    STAFF_TRAINING = "staff_training", _("職員研修")
    RESIDENT_DIALOGUE = "resident_dialogue", _("住民・学生との対話")
    STAKEHOLDER_DIALOGUE = "stakeholder_dialogue", _("事業者・NPO・大学との連携")
    DASHBOARD = "dashboard", _("ダッシュボード・データ活用")
    LOGIC_TREE = "logic_tree", _("ロジックツリー・政策立案")
    HEALTH_CARE = "health_care", _("医療・介護")
    MOBILITY = "mobility", _("モビリティ")
    CHILDCARE = "childcare", _("子育て")
    DISASTER = "disaster", _("防災")
    DIGITAL = "digital", _("デジタル生活")


class Language(models.TextChoices):
    """Languages a facilitator can run a workshop in (対応言語)."""

    JA = "ja", _("日本語")
    EN = "en", _("英語")
    ZH = "zh", _("中国語")
    KO = "ko", _("韓国語")
    PT = "pt", _("ポルトガル語")
    VI = "vi", _("ベトナム語")


WEEKDAY_LABELS = (_("月"), _("火"), _("水"), _("木"), _("金"), _("土"), _("日"))


class Facilitator(BaseModel):
    """A trained Well-Being指標活用ファシリテーター in the operator's registry (登録ファシリテーター).

    ``user`` is the account the facilitator signs in with to accept or decline requests and to
    report; a registry entry can exist before the account does.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitator_profile",
        verbose_name=_("ログインアカウント"),
    )
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("よみ（カタカナ）"), max_length=100)
    prefectures = models.ManyToManyField(
        "regions.Prefecture", related_name="facilitators", verbose_name=_("対応地域")
    )
    specialties = models.JSONField(_("得意分野"), default=list, blank=True)
    languages = models.JSONField(_("対応言語"), default=list, blank=True)
    training_completed_on = models.DateField(_("研修修了日"))
    certification_valid_until = models.DateField(
        _("認定の有効期限（更新期限）"),
        help_text=_("この日を過ぎると更新研修を受けるまで派遣できません。"),
    )
    available_weekdays = models.JSONField(
        _("対応できる曜日"), default=list, blank=True, help_text=_("0=月曜 … 6=日曜")
    )
    is_active = models.BooleanField(_("派遣対象"), default=True)
    is_public = models.BooleanField(
        _("公開リストに掲載"), default=False, help_text=_("本人が掲載に同意している場合のみ")
    )
    is_demo = models.BooleanField(_("デモデータ"), default=False)
    note = models.TextField(_("運営メモ"), blank=True)

    class Meta:
        ordering = ["name_kana", "id"]
        verbose_name = _("ファシリテーター")
        verbose_name_plural = _("ファシリテーター")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    certification_valid_until__gte=models.F("training_completed_on")
                ),
                name="facilitator_certification_after_training",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_certified_on(self, day: datetime.date) -> bool:
        """Whether the certification is still valid on ``day`` (認定が有効か)."""
        return self.training_completed_on <= day <= self.certification_valid_until

    @property
    def is_certified_today(self) -> bool:
        return self.is_certified_on(timezone.localdate())

    def works_on_weekday(self, day: datetime.date) -> bool:
        return day.weekday() in self.available_weekdays

    def specialty_labels(self) -> list[str]:
        return [str(Specialty(s).label) for s in self.specialties if s in Specialty.values]

    def language_labels(self) -> list[str]:
        return [str(Language(code).label) for code in self.languages if code in Language.values]

    def weekday_labels(self) -> list[str]:
        return [str(WEEKDAY_LABELS[d]) for d in sorted(self.available_weekdays)]


class FacilitatorUnavailability(models.Model):
    """A period in which a facilitator cannot be dispatched (不在期間)."""

    facilitator = models.ForeignKey(
        Facilitator, on_delete=models.CASCADE, related_name="unavailabilities"
    )
    start = models.DateField(_("開始日"))
    end = models.DateField(_("終了日"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("不在期間")
        verbose_name_plural = _("不在期間")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="unavailability_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class DispatchState(models.TextChoices):
    """Where a dispatch stands (派遣の状況). Moves are listed in ``workflow.TRANSITIONS``."""

    SUBMITTED = "submitted", _("申請受付")
    PROPOSED = "proposed", _("ファシリテーターに打診中")
    ACCEPTED = "accepted", _("ファシリテーター内諾")
    DECIDED = "decided", _("派遣者決定")
    NOTIFIED = "notified", _("自治体へ通知済み")
    HELD = "held", _("実施済み（報告待ち）")
    ORGANISER_REPORTED = "organiser_reported", _("主催者報告済み")
    FACILITATOR_REPORTED = "facilitator_reported", _("ファシリテーター報告済み")
    REPORTED = "reported", _("報告完了（支払待ち）")
    PAID = "paid", _("支払済み")
    CANCELLED = "cancelled", _("取消")


#: States in which a workshop has taken place.
HELD_STATES = frozenset(
    {
        DispatchState.HELD,
        DispatchState.ORGANISER_REPORTED,
        DispatchState.FACILITATOR_REPORTED,
        DispatchState.REPORTED,
        DispatchState.PAID,
    }
)

#: States in which a facilitator is holding the workshop date (a second booking would conflict).
BOOKED_STATES = frozenset(
    {
        DispatchState.PROPOSED,
        DispatchState.ACCEPTED,
        DispatchState.DECIDED,
        DispatchState.NOTIFIED,
    }
)


class Dispatch(BaseModel):
    """One application for a facilitator and everything that follows it (派遣申請・派遣).

    The applicant is a staff member of ``municipality``; ``facilitator`` and ``workshop_date``
    are set when the operator proposes a match.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("自治体"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dispatch_applications",
        verbose_name=_("申請者"),
    )
    kind = models.CharField(_("ワークショップの種類"), max_length=20, choices=WorkshopKind.choices)
    state = models.CharField(
        _("状況"),
        max_length=24,
        choices=DispatchState.choices,
        default=DispatchState.SUBMITTED,
        db_index=True,
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    venue = models.CharField(_("会場"), max_length=200)
    expected_participants = models.PositiveSmallIntegerField(
        _("参加予定人数"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    group_size = models.PositiveSmallIntegerField(
        _("1グループの人数"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("標準は4〜5人です。"),
    )
    purpose = models.TextField(_("目的・ねらい"))
    materials = models.TextField(
        _("使うダッシュボード・分析・ロジックツリー"),
        blank=True,
        help_text=_("画面の名前かURLを1行に1つ書いてください。"),
    )
    facilitator = models.ForeignKey(
        Facilitator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        verbose_name=_("ファシリテーター"),
    )
    workshop_date = models.DateField(_("実施日"), null=True, blank=True)
    paid_on = models.DateField(_("支払日"), null=True, blank=True)
    fee_yen = models.PositiveIntegerField(_("謝金（円）"), null=True, blank=True)
    travel_expenses_yen = models.PositiveIntegerField(_("旅費（円）"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消の理由"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        indexes = [models.Index(fields=["facilitator", "workshop_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(facilitator__isnull=True, workshop_date__isnull=True)
                | models.Q(facilitator__isnull=False, workshop_date__isnull=False),
                name="dispatch_facilitator_and_date_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.get_kind_display()} {self.public_id}"

    @property
    def group_count(self) -> int:
        """Number of groups for the afternoon group work (グループ数)."""
        return max(1, math.ceil(self.expected_participants / self.group_size))


class DispatchDateCandidate(models.Model):
    """One of the dates the municipality can hold the workshop on (実施希望日)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="date_candidates")
    day = models.DateField(_("希望日"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("実施希望日")
        verbose_name_plural = _("実施希望日")
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "day"], name="dispatch_candidate_unique"),
        ]

    def __str__(self) -> str:
        return self.day.isoformat()


class ReportRole(models.TextChoices):
    """Who wrote a workshop report (報告者)."""

    ORGANISER = "organiser", _("主催者（自治体）")
    FACILITATOR = "facilitator", _("ファシリテーター")


class WorkshopReport(BaseModel):
    """A report on a held workshop (実施報告), one by the organiser and one by the facilitator."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="reports")
    role = models.CharField(_("報告者"), max_length=12, choices=ReportRole.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workshop_reports"
    )
    participants = models.PositiveSmallIntegerField(
        _("参加者数"), validators=[MinValueValidator(0), MaxValueValidator(500)]
    )
    group_count = models.PositiveSmallIntegerField(
        _("グループ数"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    summary = models.TextField(_("実施内容"))
    outcomes = models.TextField(_("成果・出された政策アイデア"), blank=True)
    issues = models.TextField(_("課題・次回への改善点"), blank=True)

    class Meta:
        ordering = ["role"]
        verbose_name = _("実施報告")
        verbose_name_plural = _("実施報告")
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch", "role"], name="workshop_report_one_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch_id} {self.role}"
