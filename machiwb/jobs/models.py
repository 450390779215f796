"""Background jobs (バックグラウンド処理) with progress that staff can watch."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from machiwb.core.models import BaseModel
from machiwb.jobs.messages import lines_dump, lines_load, lines_of


class JobStatus(models.TextChoices):
    """Where a job is in its life (処理状況)."""

    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("処理中")
    SUCCEEDED = "succeeded", _("完了")
    FAILED = "failed", _("失敗")


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class Job(BaseModel):
    """One piece of long work run outside the request: a recompute, an import, an export.

    The queue itself belongs to the job library (django-q2, on the same database); this row
    is what people see: what runs, how far it got, and the result or error in plain words
    (in the reader's language).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("処理の種類"), max_length=100)
    params = models.JSONField(_("条件"), default=dict, blank=True)
    status = models.CharField(
        _("状況"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("処理済み件数"), default=0)
    total = models.PositiveIntegerField(_("全件数"), null=True, blank=True)
    #: The result or error, one line an entry, as message ids and values (``jobs.messages``):
    #: shown in the language of whoever reads it.
    message_lines = models.JSONField(_("結果・エラーの説明"), default=list, blank=True)
    result_url = models.CharField(_("結果の場所"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("開始した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("市区町村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("実行回数"), default=0)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("バックグラウンド処理")
        verbose_name_plural = _("バックグラウンド処理")
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id} {self.status}"

    @property
    def message(self) -> str:
        """The result or error in the active language, one line a message line."""
        return "\n".join(str(line) for line in lines_load(self.message_lines))

    @message.setter
    def message(self, value: str) -> None:
        self.message_lines = lines_dump(lines_of(value)) if value else []

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or None while the total is unknown."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class JobFilePurpose(models.TextChoices):
    INPUT = "input", _("入力")
    RESULT = "result", _("結果")


#: How long a job's result file stays downloadable.
RESULTS_KEPT_FOR = datetime.timedelta(hours=24)


class JobFile(BaseModel):
    """A file a job reads (an uploaded input) or makes (a result to download).

    Kept in the database like the queue, so a job finds its input on any worker and after any
    restart. Inputs are deleted when the job finishes, results ``RESULTS_KEPT_FOR`` after
    they were made.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    purpose = models.CharField(_("用途"), max_length=6, choices=JobFilePurpose.choices)
    file_name = models.CharField(_("ファイル名"), max_length=255)
    content_type = models.CharField(
        pgettext_lazy("content type", "形式"), max_length=100, blank=True
    )
    content = models.BinaryField()

    class Meta:
        verbose_name = _("処理のファイル")
        verbose_name_plural = _("処理のファイル")

    def __str__(self) -> str:
        return f"{self.job_id}:{self.purpose}:{self.file_name}"
