"""The job worker (``manage.py qcluster``) with the drill's own job kind registered."""

from __future__ import annotations

import os
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from machiwb.jobs.models import Job  # noqa: E402
from machiwb.jobs.registry import JobOutcome, job_kind  # noqa: E402
from machiwb.jobs.services import job_progress  # noqa: E402

STEP_SECONDS = 0.2


@job_kind("bench.steps", label="耐障害試験の処理")
def steps(job: Job, params: dict[str, Any]) -> JobOutcome:
    """A job of ``n`` timed steps that reports progress after each one."""
    total = int(params["n"])
    for done in range(1, total + 1):
        time.sleep(STEP_SECONDS)
        job_progress(job, done, total)
    return JobOutcome(message=f"{total} 段階を処理しました。")


if __name__ == "__main__":
    from django.core.management import call_command

    call_command("qcluster")
