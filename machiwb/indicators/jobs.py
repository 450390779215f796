"""Background job of the indicators app: recompute a fiscal year (指標の再計算).

Enqueued when an operator accepts a KPI values file; other apps (a survey that closes, an
accepted upload of responses) enqueue it with ``job_enqueue(kind="indicators.recompute",
params={"fiscal_year": 2026, "survey_type": "national"}, actor=…)``. Safe to repeat: a
recompute with unchanged inputs keeps the current run.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from machiwb.indicators.services import ComputeError, indicators_compute
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError, JobOutcome, job_kind
from machiwb.surveys.models import SurveyType


@job_kind("indicators.recompute", label=_("指標の再計算"))
def recompute(job: Job, params: dict[str, Any]) -> JobOutcome:
    fiscal_year = params.get("fiscal_year")
    survey_type = params.get("survey_type")
    if not isinstance(fiscal_year, int) or survey_type not in SurveyType.values:
        raise JobError(f"fiscal_year と survey_type が正しくありません: {params!r}")
    try:
        run = indicators_compute(fiscal_year=fiscal_year, survey_type=survey_type, actor=job.actor)
    except ComputeError as exc:
        raise JobError(str(exc)) from exc
    return JobOutcome(
        message=f"{fiscal_year}年度の指標を再計算しました（{run.municipality_count}団体、"
        f"{run.response_count}件の回答）。"
    )
