"""Background job of the surveys app: printable invitation letters (招待状PDF) in large batches.

Up to ``forms.MAX_LETTERS`` letters are made in the request; larger batches (up to
``forms.MAX_LETTERS_IN_BACKGROUND``) run here, part by part with progress, and the PDF is offered
to the person who started the job from the job's page for ``LETTERS_KEPT_FOR``.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machiwb.accounts.access import has_role
from machiwb.accounts.models import Role
from machiwb.core.pdf import pdf_render_parts
from machiwb.jobs.models import Job
from machiwb.jobs.registry import JobError, JobOutcome, job_kind
from machiwb.jobs.services import job_progress
from machiwb.surveys.letters import letter_entries
from machiwb.surveys.models import LETTERS_KEPT_FOR, InvitationLetters, Survey
from machiwb.surveys.services import invitation_codes_generate

LETTERS_JOB = "surveys.invitation_letters"
#: Letters laid out per part; progress (in letters) is reported after each part.
LETTERS_PER_PART = 50
#: Letters per PDF file: layout keeps every page of a file in memory (about 0.6 MB a letter).
#: Larger batches become several PDFs in one ZIP file.
LETTERS_PER_FILE = 500


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


@job_kind(LETTERS_JOB, label=_("招待状（PDF）の作成"))
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
        raise JobError("招待制の個別調査が見つかりません。")
    actor = job.actor
    if actor is None or not has_role(
        user=actor, municipality=survey.municipality, minimum=Role.EDITOR
    ):
        raise JobError("この調査の招待コードを発行する権限がありません。")
    url: str = params["url"]
    codes = invitation_codes_generate(survey=survey, count=int(params["count"]), actor=actor)
    entries = letter_entries(codes, url)
    files: list[bytes] = []
    for first in range(0, len(entries), LETTERS_PER_FILE):
        files.append(_letters_pdf(job, survey, url, entries, first))
    if len(files) == 1:
        content, file_name = files[0], f"invitation-letters-{survey.public_id}.pdf"
        made = f"案内状{len(codes)}通のPDFができました。"
    else:
        content, file_name = _zip(files, survey), f"invitation-letters-{survey.public_id}.zip"
        made = (
            f"案内状{len(codes)}通を{LETTERS_PER_FILE}通ずつ{len(files)}個のPDFにして、"
            "ZIPファイルにまとめました。"
        )
    with transaction.atomic():
        InvitationLetters.objects.create(
            job=job, survey=survey, letter_count=len(codes), content=content, file_name=file_name
        )
    return JobOutcome(
        message=made + "ダウンロードできるのは開始した人だけで、24時間後に削除されます。",
        result_url=reverse(
            "surveys:letters_download",
            kwargs={
                "code": survey.municipality.code,
                "public_id": survey.public_id,
                "job_id": job.public_id,
            },
        ),
    )
