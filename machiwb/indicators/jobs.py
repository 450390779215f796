"""Background job of the indicators app: recompute a fiscal year (指標の再計算).

Enqueued when an operator accepts a KPI values file, when a survey closes and when an
upload of responses is confirmed or withdrawn, always with ``coalesce=True`` so that one
waiting recompute per fiscal year and survey type is enough::

    job_enqueue(kind="indicators.recompute", params={"fiscal_year": 2026,
                "survey_type": "national"}, actor=…, coalesce=True)

Safe to repeat: a recompute with unchanged inputs keeps the current run.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machiwb.indicators.services import ComputeError, indicators_compute
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError, JobOutcome, job_kind
from machiwb.jobs.services import job_progress
from machiwb.surveys.models import SurveyType

RECOMPUTE_JOB = "indicators.recompute"


@job_kind(RECOMPUTE_JOB, label=gettext_lazy("指標の再計算"))
def recompute(job: Job, params: dict[str, Any]) -> JobOutcome:
    fiscal_year = params.get("fiscal_year")
    survey_type = params.get("survey_type")
    if not isinstance(fiscal_year, int) or survey_type not in SurveyType.values:
        raise JobError(f"fiscal_year と survey_type が正しくありません: {params!r}")
    try:
        run = indicators_compute(
            fiscal_year=fiscal_year,
            survey_type=survey_type,
            actor=job.actor,
            progress=lambda done, total: job_progress(job, done, total),
        )
    except ComputeError as exc:
        raise JobError(str(exc)) from exc
    return JobOutcome(
        message=_(
            "%(year)d年度の指標を再計算しました（%(municipalities)d団体、%(responses)d件の回答）。"
        )
        % {
            "year": fiscal_year,
            "municipalities": run.municipality_count,
            "responses": run.response_count,
        }
    )
