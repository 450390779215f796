"""The entry point the job library's worker imports by name."""

from __future__ import annotations

from machiwb.jobs.services import job_run


def job_execute(job_id: int) -> None:
    job_run(job_id=job_id)
