"""Writes for background jobs: enqueue, report progress, run (ジョブの登録・進捗・実行)."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_q.tasks import async_task

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.jobs.messages import Text, lines_dump, lines_of
from machiwb.jobs.models import (
    FINISHED_STATUSES,
    RESULTS_KEPT_FOR,
    Job,
    JobFile,
    JobFilePurpose,
    JobStatus,
)
from machiwb.jobs.registry import JobError, JobOutcome, Message, job_kind_get, job_kind_label
from machiwb.regions.models import Municipality

logger = logging.getLogger(__name__)

#: The dotted path the job library calls; it must stay importable under this name.
EXECUTE_TASK = "machiwb.jobs.tasks.job_execute"


def job_enqueue(
    *,
    kind: str,
    params: dict[str, Any],
    actor: User | None,
    municipality: Municipality | None = None,
    coalesce: bool = False,
    inputs: Sequence[tuple[str, bytes]] = (),
) -> Job:
    """Record a job and put it on the queue in one transaction (処理の登録).

    Both rows commit together: a job is never visible without its queue entry, and a rolled
    back caller leaves neither. ``params`` must be JSON (ids and codes, not model objects).

    With ``coalesce`` a job of the same kind and params that is still waiting is returned
    instead of a second one: it has not read anything yet, so it will see the caller's
    changes. Its row stays locked until the caller commits, so a worker cannot start it in
    between (on PostgreSQL the worker's status update waits for the lock).

    ``inputs`` are files the job reads, as (file name, bytes): an upload too large for
    ``params``. They are kept with the job until it finishes (see ``job_inputs``).
    """
    job_kind_get(kind)
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Job params for {kind!r} must be JSON-serialisable: {exc}") from exc
    with transaction.atomic():
        if coalesce:
            waiting = Job.objects.select_for_update().filter(kind=kind, status=JobStatus.QUEUED)
            for candidate in waiting.order_by("created_at"):
                if candidate.params == params:
                    return candidate
        job = Job.objects.create(kind=kind, params=params, actor=actor, municipality=municipality)
        JobFile.objects.bulk_create(
            JobFile(job=job, purpose=JobFilePurpose.INPUT, file_name=name[:255], content=content)
            for name, content in inputs
        )
        audit_log_write(
            actor=actor,
            action="job.enqueue",
            municipality=municipality,
            target=job,
            summary=str(job_kind_label(kind)),
        )
        async_task(EXECUTE_TASK, job.pk, task_name=f"{kind}:{job.public_id}", group=kind)
    job.refresh_from_db()
    return job


def job_progress(job: Job, done: int, total: int | None) -> None:
    """Report how far ``job`` got (進捗): ``done`` of ``total`` items.

    Inside a ``transaction.atomic`` block on PostgreSQL the progress is written on a second,
    short-lived connection, so the job page shows it before the transaction commits (an
    all-or-nothing import reports rows written). Elsewhere, or when that connection cannot
    see the job row yet, it is written in the caller's transaction.
    """
    if done < 0 or (total is not None and (total < 0 or done > total)):
        raise ValueError(f"Progress {done}/{total} is out of range.")
    job.done, job.total = done, total
    now = timezone.now()
    in_transaction = connection.in_atomic_block and connection.vendor == "postgresql"
    if not in_transaction or not _progress_outside_transaction(job.pk, done, total, now):
        Job.objects.filter(pk=job.pk).update(done=done, total=total, updated_at=now)


def _progress_outside_transaction(
    job_id: int, done: int, total: int | None, now: datetime.datetime
) -> bool:
    """Write progress on its own connection; False if the row is not visible there or locked.

    ``SKIP LOCKED`` keeps it from ever waiting on a lock the caller's own transaction holds.
    """
    table = connection.ops.quote_name(Job._meta.db_table)
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s, updated_at = %s "  # noqa: S608 - table name from the model
                f"WHERE id = (SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                [done, total, now, job_id],
            )
            return bool(cursor.rowcount)
    finally:
        side.close()


def job_result_save(*, job: Job, file_name: str, content_type: str, content: bytes) -> JobFile:
    """Keep the file ``job`` made for download (結果ファイル), replacing an earlier one.

    A repeated run replaces the file of the interrupted one.
    """
    with transaction.atomic():
        JobFile.objects.filter(job=job, purpose=JobFilePurpose.RESULT).delete()
        return JobFile.objects.create(
            job=job,
            purpose=JobFilePurpose.RESULT,
            file_name=file_name[:255],
            content_type=content_type,
            content=content,
        )


def job_run(*, job_id: int) -> None:
    """Run one job to its end; the job library's worker calls this (処理の実行).

    A job handed out again after a crash runs again from the start; one that already
    finished is left alone, and one interrupted too often is marked failed.
    """
    # result files (exports hold raw responses) are not kept past RESULTS_KEPT_FOR
    JobFile.objects.filter(
        purpose=JobFilePurpose.RESULT, created_at__lt=timezone.now() - RESULTS_KEPT_FOR
    ).delete()
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in FINISHED_STATUSES:
        return
    max_attempts: int = settings.JOB_MAX_ATTEMPTS
    if job.attempts >= max_attempts:
        _job_finish(
            job,
            JobStatus.FAILED,
            Text.of(
                gettext_noop(
                    "処理が%(n)d回とも途中で中断されたため、中止しました。もう一度開始してください。"
                ),
                n=job.attempts,
            ),
        )
        return
    try:
        kind = job_kind_get(job.kind)
    except LookupError:
        _job_finish(
            job,
            JobStatus.FAILED,
            Text.of(
                gettext_noop("この種類の処理（%(kind)s）は現在の版では実行できません。"),
                kind=job.kind,
            ),
        )
        return
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        updated_at=now,
        done=0,
        message_lines=[],
    )
    job.refresh_from_db()
    try:
        outcome = kind.handler(job, dict(job.params))
        if not isinstance(outcome, JobOutcome):
            raise TypeError(f"Job kind {job.kind!r} returned {outcome!r}, not a JobOutcome.")
    except JobError as exc:
        _job_finish(job, JobStatus.FAILED, exc.lines, result_url=exc.retry_url)
    except ValidationError as exc:
        # model validation speaks the worker's language; kept as it was said
        _job_finish(job, JobStatus.FAILED, " ".join(exc.messages))
    except Exception:
        logger.exception("job failed", extra={"job": str(job.public_id), "kind": job.kind})
        _job_finish(
            job,
            JobStatus.FAILED,
            Text.of(
                gettext_noop(
                    "処理中に予期しないエラーが発生しました。"
                    "運営者にジョブ番号 %(id)s を伝えてください。"
                ),
                id=str(job.public_id),
            ),
        )
    else:
        _job_finish(job, JobStatus.SUCCEEDED, outcome.lines, result_url=outcome.result_url)


def _job_finish(job: Job, status: JobStatus, message: Message, *, result_url: str = "") -> None:
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "message_lines": lines_dump(lines_of(message)),
        "result_url": result_url,
        "finished_at": now,
        "updated_at": now,
    }
    if status == JobStatus.SUCCEEDED and job.total is not None:
        fields["done"] = job.total
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(**fields)
        JobFile.objects.filter(job=job, purpose=JobFilePurpose.INPUT).delete()
    job.refresh_from_db()
