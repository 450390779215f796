"""Reads for background jobs (処理状況の参照)."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django_q.brokers import get_broker

from machiwb.accounts.models import User
from machiwb.jobs.models import Job, JobStatus


def job_list_for_actor(*, actor: User, limit: int = 50) -> QuerySet[Job]:
    """The jobs ``actor`` started, newest first."""
    return (
        Job.objects.filter(actor=actor)
        .select_related("municipality")
        .order_by("-created_at")[:limit]
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
