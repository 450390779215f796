"""Surveys, their frozen versions, and anonymous responses (アンケート調査・回答).

A response row holds the answers and the little context the indicators need — never who
answered, when exactly, from where on the network, or in which order (see docs/privacy.md).
"""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from machiwb.core.models import BaseModel
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, OVERALL_COLUMNS


class SurveyType(models.TextChoices):
    NATIONAL = "national", _("全国調査")
    INDIVIDUAL = "individual", _("個別調査")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    OPEN = "open", _("回答受付中")
    CLOSED = "closed", _("終了")


class AgeBand(models.IntegerChoices):
    """年代 (the national survey covers ages 18–89)."""

    TEENS = 1, _("10代")
    TWENTIES = 2, _("20代")
    THIRTIES = 3, _("30代")
    FORTIES = 4, _("40代")
    FIFTIES = 5, _("50代")
    SIXTIES = 6, _("60代")
    SEVENTIES = 7, _("70代")
    EIGHTIES_PLUS = 8, _("80代以上")


class Gender(models.IntegerChoices):
    """性別."""

    MALE = 1, _("男性")
    FEMALE = 2, _("女性")
    OTHER = 3, _("その他")
    NO_ANSWER = 4, _("回答しない")


class Survey(BaseModel):
    """A survey run for one fiscal year: a municipality's 個別調査 or the operator's 全国調査."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey_type = models.CharField(_("調査種別"), max_length=12, choices=SurveyType.choices)
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        help_text=_("個別調査の実施自治体（全国調査は空欄）"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    catalog_version = models.CharField(
        _("指標カタログの版"), max_length=20, help_text=_("例：fy2023（令和5年度以降の調査票）")
    )
    title = models.CharField(_("調査名"), max_length=200)
    status = models.CharField(
        _("状態"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_on = models.DateField(_("回答受付開始日"), null=True, blank=True)
    closes_on = models.DateField(_("回答受付終了日"), null=True, blank=True)
    invitation_required = models.BooleanField(
        _("招待コードが必要"),
        default=False,
        help_text=_("一人一回答：配布した招待コードでのみ回答できる"),
    )
    identity_required = models.BooleanField(
        _("本人確認が必要"),
        default=False,
        help_text=_("一人一回答：本人確認サービス（OpenID Connect）で確認した人だけが回答できる"),
    )
    closed_on = models.DateField(
        _("回答受付を終了した日"), null=True, blank=True, help_text=_("再開すると空欄に戻る")
    )
    verified_subjects_deleted_on = models.DateField(
        _("本人確認の記録を削除した日"),
        null=True,
        blank=True,
        help_text=_("削除した調査は、一人一回答を守れないため再開できない"),
    )
    areas = models.JSONField(_("地区の選択肢"), default=list, blank=True)
    custom_questions = models.JSONField(
        _("独自設問（下書き）"), default=list, blank=True, help_text=_("公開時に版へ凍結される")
    )
    custom_question_serial = models.PositiveSmallIntegerField(
        default=0, help_text=_("最後に付けた独自設問の番号（番号は再利用しない）")
    )
    revising = models.BooleanField(
        _("新しい版を編集中"),
        default=False,
        help_text=_("公開後に独自設問を直している（公開すると次の版になる）"),
    )

    class Meta:
        verbose_name = _("調査")
        verbose_name_plural = _("調査")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(survey_type="national", municipality__isnull=True)
                | models.Q(survey_type="individual", municipality__isnull=False),
                name="survey_municipality_matches_type",
            ),
            models.CheckConstraint(
                condition=~models.Q(invitation_required=True, identity_required=True),
                name="survey_one_vote_single_method",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_accepting_on(self, day: datetime.date) -> bool:
        """Whether residents can answer on ``day``: open by hand and within the period."""
        if self.status != SurveyStatus.OPEN:
            return False
        if self.opens_on is not None and day < self.opens_on:
            return False
        return self.closes_on is None or day <= self.closes_on


class SurveyVersion(models.Model):
    """An immutable, published definition of a survey; every response points at one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    definition = models.JSONField(help_text=_("公開時に凍結された設問定義"))
    published_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(
        _("新しい版にした理由"),
        max_length=300,
        blank=True,
        help_text=_("第2版以降（監査ログにも記録）"),
    )

    class Meta:
        verbose_name = _("調査の版")
        verbose_name_plural = _("調査の版")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"


def _answer_field(column: str) -> models.PositiveSmallIntegerField[int | None, int | None]:
    return models.PositiveSmallIntegerField(column, null=True, blank=True)


class Response(models.Model):
    """One respondent's answers (回答). Anonymous by construction.

    Stored: a random id, the survey version, the municipality (and optional area), the date
    without time, the attributes used for breakdowns, and the answers. Category items are
    1–5 (NULL = わからない/回答しない/無回答); q1, q2, q4, q5 are 0–10 and q3 is 1–5.
    Custom questions of the municipality live in ``custom_answers``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey_version = models.ForeignKey(
        SurveyVersion, on_delete=models.PROTECT, related_name="responses"
    )
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="responses"
    )
    area = models.CharField(_("地区"), max_length=50, blank=True)
    answered_on = models.DateField(_("回答日"))
    age_band = models.PositiveSmallIntegerField(_("年代"), choices=AgeBand.choices, null=True)
    gender = models.PositiveSmallIntegerField(_("性別"), choices=Gender.choices, null=True)
    custom_answers = models.JSONField(_("独自設問の回答"), default=dict, blank=True)
    upload = models.ForeignKey(
        "SurveyUpload",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        help_text=_("アップロードされたファイルから取り込んだ回答（画面からの回答は空欄）"),
    )

    for _column in CATEGORY_ITEM_COLUMNS + OVERALL_COLUMNS:
        locals()[_column] = _answer_field(_column)
    del _column

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        indexes = [models.Index(fields=["survey_version", "municipality"])]

    def __str__(self) -> str:
        return str(self.id)


class InvitationCode(models.Model):
    """A single-use invitation code (招待コード) for one survey, stored only as a keyed hash.

    It records whether it was used and nothing else: no time, no link to the response.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("招待コード")
        verbose_name_plural = _("招待コード")

    def __str__(self) -> str:
        return f"{self.survey_id}:{'used' if self.used else 'unused'}"


class VerifiedSubject(models.Model):
    """A person who answered an identity-checked survey, kept only as a keyed hash.

    The hash covers the survey, the provider and the provider's subject id, so it cannot be
    matched across surveys or back to the person without the server's key. There is no time,
    no sequence, no other claim of the ID token and no link to the response.
    """

    # the hash is the key: an id sequence would record the order in which people answered
    subject_hash = models.CharField(primary_key=True, max_length=64)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="verified_subjects")

    class Meta:
        verbose_name = _("本人確認済みの回答者")
        verbose_name_plural = _("本人確認済みの回答者")

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.subject_hash[:8]}"


class SubmissionReceipt(models.Model):
    """Proof that an answer sheet was stored once (送信受付), for idempotent retries.

    The key is a keyed hash of the submission token the resident's browser holds, and the
    digest is a keyed hash of token + answers. Without the token neither can be matched to a
    response; there is no time and no sequence.
    """

    key = models.CharField(primary_key=True, max_length=64)
    survey_version = models.ForeignKey(
        SurveyVersion, on_delete=models.CASCADE, related_name="receipts"
    )
    answers_digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("送信受付")
        verbose_name_plural = _("送信受付")

    def __str__(self) -> str:
        return self.key[:8]


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    CONFIRMED = "confirmed", _("取り込み済み")
    CANCELLED = "cancelled", _("取り消し")
    WITHDRAWN = "withdrawn", _("取り下げ")


class SurveyUpload(BaseModel):
    """An uploaded results file (アンケート結果ファイル) of a survey run on paper or elsewhere.

    Checked in full before anything is stored; staff see a summary and confirm. The file's
    bytes are kept only while the upload waits for that confirmation.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="uploads")
    survey_version = models.ForeignKey(
        SurveyVersion, on_delete=models.PROTECT, related_name="uploads"
    )
    file_name = models.CharField(_("ファイル名"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    content = models.BinaryField(null=True, blank=True)
    row_count = models.PositiveIntegerField(_("回答者数"))
    summary = models.JSONField(_("集計の確認"), default=dict)
    status = models.CharField(
        _("状態"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("結果ファイルのアップロード")
        verbose_name_plural = _("結果ファイルのアップロード")

    def __str__(self) -> str:
        return self.file_name


class InvitationLetters(BaseModel):
    """Printable invitation letters (招待状PDF) made by a background job.

    The file holds the codes in clear text, so only the person who started the job may
    download it, and it is deleted ``LETTERS_KEPT_FOR`` after it was made.
    """

    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    letter_count = models.PositiveIntegerField(_("通数"))
    file_name = models.CharField(_("ファイル名"), max_length=200)
    content = models.BinaryField()  # one PDF, or a ZIP of PDFs for large batches

    class Meta:
        verbose_name = _("招待状PDF")
        verbose_name_plural = _("招待状PDF")

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.letter_count}"


#: How long letters made in the background stay downloadable.
LETTERS_KEPT_FOR = datetime.timedelta(hours=24)
