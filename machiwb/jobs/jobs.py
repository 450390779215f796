"""Job kinds of the operations side: backups and the restore drill (運用の処理)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from machiwb.jobs.backup import backup_create, backups_list, restore_drill
from machiwb.jobs.messages import Listing, Plain, Text
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError, JobOrigin, JobOutcome, job_kind
from machiwb.jobs.services import job_progress


def _operations_page(job: Job) -> JobOrigin:
    return JobOrigin(
        url=reverse("jobs:operations"), label=gettext_lazy("バックアップと復元訓練へ戻る")
    )


@job_kind(
    "backup.create", label=gettext_lazy("データベースのバックアップ"), origin=_operations_page
)
def backup_create_job(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Back up the database into ``MACHIWB_BACKUP_DIR``, keeping the newest ones."""
    job_progress(job, 0, 1)
    path, manifest = backup_create(
        output_dir=settings.MACHIWB_BACKUP_DIR, keep=settings.MACHIWB_BACKUP_KEEP
    )
    job_progress(job, 1, 1)
    return JobOutcome(
        message=Text.of(
            gettext_noop(
                "バックアップ %(name)s を作成しました（%(tables)d 表・%(rows)d 行、回答 %(responses)d 件）。"
            ),
            name=path.name,
            tables=len(manifest.tables),
            rows=manifest.rows,
            responses=manifest.responses,
        )
    )


@job_kind("backup.restore_drill", label=gettext_lazy("復元訓練"), origin=_operations_page)
def restore_drill_job(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Restore the newest backup into a fresh database and compare it with its manifest."""
    backups = backups_list(output_dir=settings.MACHIWB_BACKUP_DIR)
    if not backups:
        raise JobError(
            Text.of(
                gettext_noop("バックアップがまだありません。先にバックアップを作成してください。")
            )
        )
    newest = backups[-1]
    job_progress(job, 0, 1)
    result = restore_drill(backup=newest)
    job_progress(job, 1, 1)
    if not result.ok:
        raise JobError(
            Text.of(
                gettext_noop("復元訓練で違いが見つかりました（%(name)s）：%(diff)s"),
                name=newest.name,
                diff=Listing(tuple(Plain(d) for d in result.differences())),
            )
        )
    return JobOutcome(
        message=Text.of(
            gettext_noop(
                "%(name)s を新しいデータベースに復元し、%(rows)d 行・回答 %(responses)d 件が"
                "バックアップ時と一致しました（%(seconds).1f 秒）。"
            ),
            name=newest.name,
            rows=result.restored.rows,
            responses=result.restored.responses,
            seconds=result.seconds,
        )
    )
