from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from machiwb.accounts.decorators import operator_required, request_user, staff_required
from machiwb.jobs.access import access_job_by_public_id
from machiwb.jobs.backup import backups_list, manifest_read
from machiwb.jobs.registry import job_kind_label, job_origin
from machiwb.jobs.selectors import job_list_for_actor
from machiwb.jobs.services import job_enqueue

#: Seconds between status checks while a job runs (htmx polling and the no-script refresh).
POLL_SECONDS = 2


@never_cache
@require_GET
@staff_required
def job_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = access_job_by_public_id(user=request_user(request), public_id=public_id)
    context = {
        "job": job,
        "label": job_kind_label(job.kind),
        "origin": job_origin(job),
        "poll_seconds": POLL_SECONDS,
    }
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, context)


@never_cache
@require_GET
@staff_required
def job_list(request: HttpRequest) -> HttpResponse:
    actor = request_user(request)
    jobs = [(job, job_kind_label(job.kind)) for job in job_list_for_actor(actor=actor)]
    return render(request, "jobs/list.html", {"jobs": jobs})


#: What the operations page can start (運用の処理).
OPERATIONS = ("backup.create", "backup.restore_drill")


@never_cache
@require_http_methods(["GET", "POST"])
@operator_required
def operations(request: HttpRequest) -> HttpResponse:
    """Operators start a backup or a restore drill and see the backups kept."""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind in OPERATIONS:
            job = job_enqueue(kind=kind, params={}, actor=request_user(request))
            return redirect("jobs:detail", public_id=job.public_id)
    backups = []
    for path in reversed(backups_list(output_dir=settings.MACHIWB_BACKUP_DIR)):
        try:
            manifest = manifest_read(path)
        except (FileNotFoundError, ValueError, KeyError):
            manifest = None
        backups.append({"name": path.name, "bytes": path.stat().st_size, "manifest": manifest})
    return render(
        request,
        "jobs/operations.html",
        {
            "backups": backups,
            "backup_dir": settings.MACHIWB_BACKUP_DIR,
            "operations": [(kind, job_kind_label(kind)) for kind in OPERATIONS],
        },
    )
