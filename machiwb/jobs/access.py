"""Who may watch a job (処理状況の閲覧権限).

The person who started it, an operator, or staff of the job's municipality. Anyone else gets
a 404 exactly like a job that does not exist.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from machiwb.accounts.access import has_role
from machiwb.accounts.models import Role, User
from machiwb.jobs.models import Job


def access_job_by_public_id(*, user: User, public_id: uuid.UUID) -> Job:
    """Return the job if ``user`` may watch it, else raise Http404."""
    if not user.is_authenticated:
        raise Http404
    job = Job.objects.select_related("municipality", "actor").filter(public_id=public_id).first()
    if job is None:
        raise Http404
    if job.actor_id == user.pk or user.is_operator:
        return job
    if job.municipality is not None and has_role(
        user=user, municipality=job.municipality, minimum=Role.VIEWER
    ):
        return job
    raise Http404
