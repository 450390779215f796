"""Background job of the surveys app: printable invitation letters (招待状PDF) in large batches.

Up to ``forms.MAX_LETTERS`` letters are made in the request; larger batches (up to
``forms.MAX_LETTERS_IN_BACKGROUND``) run here, part by part with progress, and the PDF is offered
to the person who started the job from the job's page for ``LETTERS_KEPT_FOR``.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from machiwb.accounts.access import has_role
from machiwb.accounts.models import Role
from machiwb.core.pdf import pdf_render_parts
from machiwb.jobs.messages import Text
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError, JobOrigin, JobOutcome, job_kind
from machiwb.jobs.services import job_progress, job_result_save
from machiwb.surveys.datafile import (
    DICTIONARY_COLUMNS,
    DataFileError,
    columns_of,
    csv_bytes,
    dictionary_rows,
    row_of,
    xlsx_bytes,
)
from machiwb.surveys.letters import letter_entries
from machiwb.surveys.models import LETTERS_KEPT_FOR, InvitationLetters, Survey
from machiwb.surveys.selectors import (
    survey_definition_of_all_versions,
    survey_export_records,
    survey_response_count,
    survey_upload_get,
)
from machiwb.surveys.services import (
    EXPORT_JOB,
    UPLOAD_IMPORT_JOB,
    SurveyStateError,
    invitation_codes_generate,
    survey_export_record,
    survey_upload_confirm,
)

LETTERS_JOB = "surveys.invitation_letters"
#: Said under every file made for download.
KEPT_FOR_STARTER = gettext_noop("ダウンロードできるのは開始した人だけで、24時間後に削除されます。")
#: Letters laid out per part; progress (in letters) is reported after each part.
LETTERS_PER_PART = 50
#: Letters per PDF file: layout keeps every page of a file in memory (about 0.6 MB a letter).
#: Larger batches become several PDFs in one ZIP file.
LETTERS_PER_FILE = 500


def _survey_kwargs(job: Job) -> dict[str, Any]:
    """The survey page's URL arguments, from the job's own municipality and survey id."""
    if job.municipality is None:
        raise ValueError("A survey job without its municipality.")
    return {"code": job.municipality.code, "public_id": uuid.UUID(str(job.params["survey"]))}


def _survey_page(job: Job) -> JobOrigin:
    return JobOrigin(
        url=reverse("surveys:detail", kwargs=_survey_kwargs(job)),
        label=gettext_lazy("調査のページへ戻る"),
    )


def _upload_screen(job: Job) -> JobOrigin:
    return JobOrigin(
        url=reverse("surveys:upload", kwargs=_survey_kwargs(job)),
        label=gettext_lazy("アンケート結果ファイルのアップロードへ戻る"),
    )


def _letters_pdf(
    job: Job, survey: Survey, url: str, entries: list[dict[str, str]], first: int
) -> bytes:
    """One PDF of the letters ``first`` … ``first + LETTERS_PER_FILE - 1``, with progress."""
    chunk = entries[first : first + LETTERS_PER_FILE]
    parts = [
        {
            "survey": survey,
            "municipality": survey.municipality,
            "url": url,
            "letters": chunk[start : start + LETTERS_PER_PART],
        }
        for start in range(0, len(chunk), LETTERS_PER_PART)
    ]
    return pdf_render_parts(
        "surveys/staff/letters_pdf.html",
        parts,
        progress=lambda done, _parts: job_progress(
            job, min(first + done * LETTERS_PER_PART, len(entries)), len(entries)
        ),
    )


def _zip(files: list[bytes], survey: Survey) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, pdf in enumerate(files, start=1):
            archive.writestr(f"invitation-letters-{survey.public_id}-{number:02d}.pdf", pdf)
    return buffer.getvalue()


@job_kind(LETTERS_JOB, label=gettext_lazy("招待状（PDF）の作成"), origin=_survey_page)
def invitation_letters(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Generate the codes, lay out one letter per code and keep the PDF (or ZIP) for its starter.

    A run interrupted after the codes were stored leaves codes nobody ever saw: they are
    never printed, so they cannot be used; the repeated run makes new ones.
    """
    InvitationLetters.objects.filter(created_at__lt=timezone.now() - LETTERS_KEPT_FOR).delete()
    survey = (
        Survey.objects.select_related("municipality")
        .filter(public_id=uuid.UUID(params["survey"]))
        .first()
    )
    if survey is None or survey.municipality is None or not survey.invitation_required:
        raise JobError(Text.of(gettext_noop("招待制の個別調査が見つかりません。")))
    actor = job.actor
    if actor is None or not has_role(
        user=actor, municipality=survey.municipality, minimum=Role.EDITOR
    ):
        raise JobError(Text.of(gettext_noop("この調査の招待コードを発行する権限がありません。")))
    url: str = params["url"]
    codes = invitation_codes_generate(survey=survey, count=int(params["count"]), actor=actor)
    entries = letter_entries(codes, url)
    files: list[bytes] = []
    for first in range(0, len(entries), LETTERS_PER_FILE):
        files.append(_letters_pdf(job, survey, url, entries, first))
    if len(files) == 1:
        content, file_name = files[0], f"invitation-letters-{survey.public_id}.pdf"
        made = Text.of(gettext_noop("案内状%(n)d通のPDFができました。"), n=len(codes))
    else:
        content, file_name = _zip(files, survey), f"invitation-letters-{survey.public_id}.zip"
        made = Text.of(
            gettext_noop(
                "案内状%(n)d通を%(per_file)d通ずつ%(files)d個のPDFにして、"
                "ZIPファイルにまとめました。"
            ),
            n=len(codes),
            per_file=LETTERS_PER_FILE,
            files=len(files),
        )
    with transaction.atomic():
        InvitationLetters.objects.create(
            job=job, survey=survey, letter_count=len(codes), content=content, file_name=file_name
        )
    return JobOutcome(
        message=[made, Text.of(KEPT_FOR_STARTER)],
        result_url=reverse(
            "surveys:letters_download",
            kwargs={
                "code": survey.municipality.code,
                "public_id": survey.public_id,
                "job_id": job.public_id,
            },
        ),
    )


def _survey_for_actor(job: Job, params: dict[str, Any]) -> Survey:
    """The job's survey, if its starter may still change it (editor of its municipality)."""
    survey = (
        Survey.objects.select_related("municipality")
        .filter(public_id=uuid.UUID(params["survey"]))
        .first()
    )
    actor = job.actor
    if (
        survey is None
        or survey.municipality is None
        or actor is None
        or not has_role(user=actor, municipality=survey.municipality, minimum=Role.EDITOR)
    ):
        raise JobError(
            Text.of(gettext_noop("調査が見つからないか、この調査を扱う権限がありません。"))
        )
    return survey


def _survey_url(survey: Survey) -> str:
    assert survey.municipality is not None  # noqa: S101 - individual surveys only
    return reverse(
        "surveys:detail", kwargs={"code": survey.municipality.code, "public_id": survey.public_id}
    )


#: Problems listed on the job page when an import is refused (the message holds 1000 characters).
IMPORT_ERRORS_SHOWN = 10


@job_kind(UPLOAD_IMPORT_JOB, label=gettext_lazy("回答データの取り込み"), origin=_upload_screen)
def upload_import(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Import a checked results file, all rows or none, then queue the recompute.

    Safe to repeat: an interrupted run committed nothing, and a finished import is refused.
    """
    survey = _survey_for_actor(job, params)
    assert survey.municipality is not None  # noqa: S101 - checked by _survey_for_actor
    upload_page = reverse(
        "surveys:upload", kwargs={"code": survey.municipality.code, "public_id": survey.public_id}
    )
    upload = survey_upload_get(survey=survey, public_id=uuid.UUID(params["upload"]))
    if upload is None:
        raise JobError(
            Text.of(gettext_noop("取り込むファイルが見つかりません。")), retry_url=upload_page
        )
    try:
        upload, _recompute = survey_upload_confirm(
            upload=upload,
            actor=job.actor,
            progress=lambda done, total: job_progress(job, done, total),
        )
    except DataFileError as problem:
        lines = [Text.of(gettext_noop("何も取り込んでいません。"))]
        lines += [e.text() for e in problem.errors[:IMPORT_ERRORS_SHOWN]]
        if len(problem.errors) > IMPORT_ERRORS_SHOWN:
            more = len(problem.errors) - IMPORT_ERRORS_SHOWN
            lines.append(Text.of(gettext_noop("（ほか%(n)d件）"), n=more))
        raise JobError(lines, retry_url=upload_page) from problem
    except SurveyStateError as problem:
        raise JobError(problem.text, retry_url=upload_page) from problem
    return JobOutcome(
        message=Text.of(
            gettext_noop(
                "「%(file)s」から%(rows)d件の回答を取り込みました。指標の再計算を登録しました。"
            ),
            file=upload.file_name,
            rows=upload.row_count,
        ),
        result_url=_survey_url(survey),
    )


#: Responses written between two progress reports of an export.
EXPORT_PROGRESS_EVERY = 1000


@job_kind(EXPORT_JOB, label=gettext_lazy("回答データの書き出し"), origin=_survey_page)
def survey_export(job: Job, params: dict[str, Any]) -> JobOutcome:
    """Write the responses as CSV or .xlsx and keep the file for its starter (24 hours)."""
    survey = _survey_for_actor(job, params)
    file_format = params.get("format")
    # one file for the responses of every version: the custom questions of all of them
    definition = survey_definition_of_all_versions(survey=survey)
    if definition is None or file_format not in ("csv", "xlsx"):
        raise JobError(Text.of(gettext_noop("書き出せる回答データがありません。")))
    total = survey_response_count(survey=survey)
    columns = columns_of(definition)

    def rows() -> Iterator[list[Any]]:
        job_progress(job, 0, total)
        for done, record in enumerate(survey_export_records(survey=survey), start=1):
            yield row_of(record, columns)
            if done % EXPORT_PROGRESS_EVERY == 0 and done <= total:
                job_progress(job, done, total)

    assert survey.municipality is not None  # noqa: S101 - checked by _survey_for_actor
    name = f"survey-data-{survey.municipality.code}-{survey.fiscal_year}"
    if file_format == "csv":
        content = csv_bytes(columns, rows())
        content_type, file_name = "text/csv; charset=utf-8", f"{name}.csv"
    else:
        content = xlsx_bytes(
            [
                ("responses", columns, rows()),
                ("dictionary", DICTIONARY_COLUMNS, dictionary_rows(definition)),
            ]
        )
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        file_name = f"{name}.xlsx"
    job_result_save(job=job, file_name=file_name, content_type=content_type, content=content)
    survey_export_record(survey=survey, actor=job.actor, file_format=file_format)
    return JobOutcome(
        message=[
            Text.of(
                gettext_noop("%(n)d件の回答を %(file)s に書き出しました。"), n=total, file=file_name
            ),
            Text.of(KEPT_FOR_STARTER),
        ],
        result_url=reverse(
            "surveys:export_download",
            kwargs={
                "code": survey.municipality.code,
                "public_id": survey.public_id,
                "job_id": job.public_id,
            },
        ),
    )
