from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from machiwb.accounts.decorators import request_user, staff_required
from machiwb.jobs.access import access_job_by_public_id
from machiwb.jobs.registry import job_kind_label
from machiwb.jobs.selectors import job_list_for_actor

#: Seconds between status checks while a job runs (htmx polling and the no-script refresh).
POLL_SECONDS = 2


@never_cache
@require_GET
@staff_required
def job_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = access_job_by_public_id(user=request_user(request), public_id=public_id)
    context = {"job": job, "label": job_kind_label(job.kind), "poll_seconds": POLL_SECONDS}
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, context)


@never_cache
@require_GET
@staff_required
def job_list(request: HttpRequest) -> HttpResponse:
    actor = request_user(request)
    jobs = [(job, job_kind_label(job.kind)) for job in job_list_for_actor(actor=actor)]
    return render(request, "jobs/list.html", {"jobs": jobs})
