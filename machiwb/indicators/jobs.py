"""Background jobs of the indicators app: recompute a fiscal year (指標の再計算) and the
operator imports of KPI values (客観指標データ) and published results (公表結果).

The recompute is enqueued when an operator accepts a KPI values file, when a survey closes
and when an upload of responses is confirmed or withdrawn, always with ``coalesce=True`` so
that one waiting recompute per fiscal year and survey type is enough::

    job_enqueue(kind="indicators.recompute", params={"fiscal_year": 2026,
                "survey_type": "national"}, actor=…, coalesce=True)

Every kind is safe to repeat: a recompute with unchanged inputs keeps the current run, and an
import writes in one transaction, replacing values rather than adding to them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, gettext_noop

from machiwb.indicators.kpi_file import problems_heading
from machiwb.indicators.services import (
    KPI_IMPORT_JOB,
    OFFICIAL_IMPORT_JOB,
    RECOMPUTE_JOB,
    ComputeError,
    KpiImportError,
    OfficialImportError,
    indicators_compute,
    kpi_values_import,
    official_results_import,
)
from machiwb.jobs.messages import Listing, Piece, Text
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError, JobOrigin, JobOutcome, OriginOf, job_kind
from machiwb.jobs.selectors import job_inputs
from machiwb.jobs.services import job_enqueue, job_progress
from machiwb.surveys.models import SurveyType

#: Problems listed on the job page when an import is refused (the message holds 1000 characters).
PROBLEMS_SHOWN = 5


def _recompute_origin(job: Job) -> JobOrigin | None:
    """A recompute of a municipality's survey was queued from its surveys; others by the system."""
    if job.municipality is None:
        return None
    return JobOrigin(
        url=reverse("surveys:list", kwargs={"code": job.municipality.code}),
        label=gettext_lazy("調査の一覧へ戻る"),
    )


def _upload_screen(name: str, label: str | Promise) -> OriginOf:
    def origin(job: Job) -> JobOrigin:
        return JobOrigin(url=reverse(name), label=label)

    return origin


@job_kind(RECOMPUTE_JOB, label=gettext_lazy("指標の再計算"), origin=_recompute_origin)
def recompute(job: Job, params: dict[str, Any]) -> JobOutcome:
    fiscal_year = params.get("fiscal_year")
    survey_type = params.get("survey_type")
    if not isinstance(fiscal_year, int) or survey_type not in SurveyType.values:
        raise JobError(
            Text.of(
                gettext_noop("fiscal_year と survey_type が正しくありません: %(params)s"),
                params=repr(params),
            )
        )
    try:
        run = indicators_compute(
            fiscal_year=fiscal_year,
            survey_type=survey_type,
            actor=job.actor,
            progress=lambda done, total: job_progress(job, done, total),
        )
    except ComputeError as exc:
        raise JobError(exc.text) from exc
    return JobOutcome(
        message=Text.of(
            gettext_noop(
                "%(year)d年度の指標を再計算しました（%(municipalities)d団体、%(responses)d件の回答）。"
            ),
            year=fiscal_year,
            municipalities=run.municipality_count,
            responses=run.response_count,
        )
    )


def _refused(problems: list[Text], upload_screen: str) -> JobError:
    """Every problem counted, the first ones spelled out (by file, row and column), one a line."""
    lines: list[Piece] = [problems_heading(len(problems))]
    lines += problems[:PROBLEMS_SHOWN]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(Text.of(gettext_noop("（ほか%(n)d件）"), n=len(problems) - PROBLEMS_SHOWN))
    return JobError(lines, retry_url=reverse(upload_screen))


def _operator_inputs(job: Job) -> list[tuple[str, bytes]]:
    if job.actor is None or not job.actor.is_operator:
        raise JobError(
            Text.of(gettext_noop("取込を開始した運営者のアカウントが有効ではありません。"))
        )
    files = job_inputs(job=job)
    if not files:
        raise JobError(
            Text.of(
                gettext_noop("取り込むファイルが見つかりません。もう一度アップロードしてください。")
            )
        )
    return files


@job_kind(
    KPI_IMPORT_JOB,
    label=gettext_lazy("客観指標データの取込"),
    origin=_upload_screen(
        "admin:indicators_kpiimport_upload", gettext_lazy("客観指標データの取込画面へ戻る")
    ),
)
def kpi_import(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Check and import a KPI values file, then queue the recompute of its fiscal year."""
    ((file_name, data),) = _operator_inputs(job)
    fiscal_year = int(params["fiscal_year"])
    try:
        with transaction.atomic():
            batch = kpi_values_import(
                fiscal_year=fiscal_year,
                file_name=file_name,
                data=data,
                actor=job.actor,
                progress=lambda done, total: job_progress(job, done, total),
            )
            for survey_type in SurveyType.values:
                job_enqueue(
                    kind=RECOMPUTE_JOB,
                    params={"fiscal_year": fiscal_year, "survey_type": survey_type},
                    actor=job.actor,
                    coalesce=True,
                )
    except KpiImportError as exc:
        raise _refused(
            [p.text() for p in exc.problems], "admin:indicators_kpiimport_upload"
        ) from exc
    return JobOutcome(
        message=Text.of(
            gettext_noop(
                "%(file)s: %(year)d年度の%(rows)d行を取り込みました。指標の再計算を登録しました。"
            ),
            file=batch.file_name,
            year=fiscal_year,
            rows=batch.row_count,
        ),
        result_url=reverse("admin:indicators_kpivalue_changelist") + f"?fiscal_year={fiscal_year}",
    )


@job_kind(
    OFFICIAL_IMPORT_JOB,
    label=gettext_lazy("公表結果の取込"),
    origin=_upload_screen(
        "admin:indicators_scorerun_upload", gettext_lazy("公表結果の取込画面へ戻る")
    ),
)
def official_import(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Check and import published results files (all or nothing)."""
    files = _operator_inputs(job)
    try:
        report = official_results_import(
            files=files,
            actor=job.actor,
            progress=lambda done, total: job_progress(job, done, total),
        )
    except OfficialImportError as exc:
        raise _refused(exc.problems, "admin:indicators_scorerun_upload") from exc
    lines: list[Piece] = [
        Text.of(
            gettext_noop("%(files)d個のファイルを取り込みました（%(municipalities)d団体）。"),
            files=report.files,
            municipalities=len(report.municipalities),
        )
    ]
    if report.mismatches:
        lines.append(
            Text.of(
                gettext_noop(
                    "公表値と設問の平均が0.1より離れているカテゴリーが%(n)d件あります：%(list)s"
                ),
                n=len(report.mismatches),
                list=Listing(
                    tuple(
                        Text.of(
                            gettext_noop(
                                "%(region)s %(category)s %(measure)s %(published)s≠%(derived)s"
                            ),
                            region=m.region,
                            category=m.category,
                            measure=Text.of(m.measure),
                            published=m.published,
                            derived=f"{m.derived:.2f}",
                        )
                        for m in report.mismatches[:PROBLEMS_SHOWN]
                    )
                ),
            )
        )
    return JobOutcome(message=lines, result_url=reverse("admin:indicators_scorerun_changelist"))
