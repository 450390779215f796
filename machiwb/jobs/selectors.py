"""Reads for background jobs (処理状況の参照)."""

from __future__ import annotations

import uuid

from django.db.models import Count, QuerySet
from django.utils import timezone
from django_q.brokers import get_broker

from machiwb.accounts.models import User
from machiwb.jobs.models import RESULTS_KEPT_FOR, Job, JobFile, JobFilePurpose, JobStatus


def job_list_for_actor(*, actor: User, limit: int = 50) -> QuerySet[Job]:
    """The jobs ``actor`` started, newest first."""
    return (
        Job.objects.filter(actor=actor)
        .select_related("municipality")
        .order_by("-created_at")[:limit]
    )


def job_inputs(*, job: Job) -> list[tuple[str, bytes]]:
    """The files given to ``job_enqueue(inputs=…)``, as (file name, bytes), in their order."""
    files = JobFile.objects.filter(job=job, purpose=JobFilePurpose.INPUT).order_by("pk")
    return [(f.file_name, bytes(f.content)) for f in files]


def job_result_for_starter(
    *, job_public_id: uuid.UUID, kind: str, user: User, **params: str
) -> JobFile | None:
    """The result file of a finished ``kind`` job, only for the person who started it.

    ``params`` must match the job's (for example the survey it was made for); a result older
    than ``RESULTS_KEPT_FOR`` is gone.
    """
    return (
        JobFile.objects.select_related("job")
        .filter(
            purpose=JobFilePurpose.RESULT,
            job__public_id=job_public_id,
            job__kind=kind,
            job__actor=user,
            created_at__gte=timezone.now() - RESULTS_KEPT_FOR,
            **{f"job__params__{key}": value for key, value in params.items()},
        )
        .first()
    )


def job_status_counts() -> dict[str, int]:
    """How many jobs are in each status (for readiness and metrics)."""
    counts = {status.value: 0 for status in JobStatus}
    for row in Job.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def job_queue_depth() -> int:
    """Queue entries waiting for a worker in the job library (not yet handed out)."""
    return int(get_broker().queue_size() or 0)
