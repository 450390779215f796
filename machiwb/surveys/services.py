"""Writes for surveys (調査の作成・公開・回答の保存).

Anonymity is kept by construction here: a response row gets a random id and a date only; an
invitation code is marked used in the same transaction as the response is stored, but
nothing links the two; the idempotency receipt holds keyed hashes that only the resident's
own submission token can match.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import functools
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, IntegerField, Max, Model
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.core.sql import statement_cursor, statement_style
from machiwb.jobs.messages import Piece, Plain, Text
from machiwb.jobs.models import Job
from machiwb.jobs.services import job_enqueue
from machiwb.regions.models import Municipality
from machiwb.surveys.answers import response_fields, sheet_errors
from machiwb.surveys.datafile import (
    CellError,
    DataFileError,
    file_read,
    rows_validate,
    upload_summary,
)
from machiwb.surveys.models import (
    InvitationCode,
    Response,
    SubmissionReceipt,
    Survey,
    SurveyStatus,
    SurveyType,
    SurveyUpload,
    SurveyVersion,
    UploadStatus,
    VerifiedSubject,
)
from machiwb.surveys.questionnaire import (
    MAX_CUSTOM_QUESTIONS,
    custom_question_errors,
    definition_build,
)
from machiwb.surveys.selectors import survey_catalog, survey_catalog_version_for

#: Unambiguous alphabet for invitation codes (no 0/O, 1/I/L): 31 symbols.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: 12 symbols ≈ 59 bits: guessing one of even 100,000 live codes stays hopeless.
CODE_LENGTH = 12
MAX_CODES_PER_BATCH = 20_000
#: The job kinds of this app (registered in ``jobs.py``).
UPLOAD_IMPORT_JOB = "surveys.upload_import"
EXPORT_JOB = "surveys.export"


class SubmitOutcome(enum.Enum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"


class SubmissionRefused(Exception):
    """A submission that cannot be stored; ``message`` is shown to the resident."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def invitation_code_normalize(code: str) -> str:
    """Upper-case, without spaces or hyphens, full-width letters folded to ASCII."""
    folded = code.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return "".join(ch for ch in folded.upper() if ch.isalnum())


def invitation_code_hash(*, survey: Survey, code: str) -> str:
    normalized = invitation_code_normalize(code)
    return salted_hmac(
        "machiwb.surveys.invitation", f"{survey.public_id}:{normalized}", algorithm="sha256"
    ).hexdigest()


def invitation_code_format(code: str) -> str:
    """Group a code for printing: ``ABCD-EFGH-JKMN``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def invitation_codes_generate(*, survey: Survey, count: int, actor: User) -> list[str]:
    """Create ``count`` single-use codes and return them in clear text, once.

    Only keyed hashes are stored, so the codes cannot be shown again: the caller hands them
    straight to the staff as a download (CSV for mail merge, letters to print).
    """
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValueError(f"count must be 1..{MAX_CODES_PER_BATCH}")
    codes: list[str] = []
    hashes: set[str] = set()
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))
        code_hash = invitation_code_hash(survey=survey, code=code)
        if code_hash not in hashes:
            hashes.add(code_hash)
            codes.append(code)
    with transaction.atomic():
        InvitationCode.objects.bulk_create(
            [InvitationCode(survey=survey, code_hash=h) for h in hashes]
        )
        audit_log_write(
            actor=actor,
            action="survey.invitation_codes_generate",
            municipality=survey.municipality,
            target=survey,
            summary=f"招待コードを{count}件発行",
            details={"count": count},
        )
    return [invitation_code_format(code) for code in codes]


def invitation_code_is_usable(*, survey: Survey, code: str) -> bool:
    """Whether ``code`` is a code of this survey that has not been used yet."""
    return InvitationCode.objects.filter(
        survey=survey, code_hash=invitation_code_hash(survey=survey, code=code), used=False
    ).exists()


def identity_subject_has_answered(*, survey: Survey, subject_hash: str) -> bool:
    """Whether the person behind ``subject_hash`` already answered this survey."""
    return VerifiedSubject.objects.filter(survey=survey, subject_hash=subject_hash).exists()


def _identity_subject_record(*, survey: Survey, subject_hash: str) -> None:
    """Mark a verified person as having answered, inside the caller's transaction."""
    if not subject_hash:
        raise SubmissionRefused(
            _("本人確認が済んでいないか、有効期限が切れました。もう一度本人確認をしてください。")
        )
    try:
        with transaction.atomic():
            VerifiedSubject.objects.create(survey=survey, subject_hash=subject_hash)
    except IntegrityError:
        raise SubmissionRefused(
            _("この調査には、すでに回答をいただいています。回答は一人一回です。")
        ) from None


class SurveyStateError(Exception):
    """An action not allowed in the survey's current state; ``message`` is shown to staff.

    ``text`` keeps it untranslated, for a background job's page.
    """

    def __init__(self, text: Piece) -> None:
        self.text = text
        self.message = str(text)
        super().__init__(self.message)


def _national_year_free(survey: Survey) -> None:
    """There is one 全国調査 per fiscal year: its answers are the year's national results."""
    if survey.survey_type != SurveyType.NATIONAL:
        return
    taken = Survey.objects.filter(survey_type=SurveyType.NATIONAL, fiscal_year=survey.fiscal_year)
    if taken.exclude(pk=survey.pk).exists():
        raise SurveyStateError(
            Text.of(
                gettext_noop("%(year)d年度の全国調査はすでにあります。"), year=survey.fiscal_year
            )
        )


def survey_create(
    *,
    actor: User,
    survey_type: str = SurveyType.INDIVIDUAL,
    municipality: Municipality | None,
    title: str,
    fiscal_year: int,
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    invitation_required: bool = False,
    identity_required: bool = False,
    areas: list[str] | None = None,
) -> Survey:
    """Create a draft survey (調査の作成) on the catalog version in force for the fiscal year.

    A municipality's staff create 個別調査; only an operator creates the yearly 全国調査.
    """
    if survey_type == SurveyType.NATIONAL and not actor.is_operator:
        raise PermissionDenied("only operators create national surveys")
    with transaction.atomic():
        survey = Survey(
            survey_type=survey_type,
            municipality=municipality if survey_type == SurveyType.INDIVIDUAL else None,
            fiscal_year=fiscal_year,
            catalog_version=survey_catalog_version_for(fiscal_year=fiscal_year),
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            invitation_required=invitation_required,
            identity_required=identity_required,
            areas=areas or [],
        )
        _national_year_free(survey)
        survey.full_clean()
        survey.save()
        audit_log_write(
            actor=actor,
            action="survey.create",
            municipality=survey.municipality,
            target=survey,
            summary=f"調査「{title}」を作成",
            details={"fiscal_year": fiscal_year, "survey_type": survey_type},
        )
    return survey


def _draft_locked(survey_id: int) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey.status != SurveyStatus.DRAFT:
        raise SurveyStateError(Text.of(gettext_noop("公開済みの調査は変更できません。")))
    return survey


def _questions_locked(survey_id: int) -> Survey:
    """The survey, locked, if its custom questions may change: a draft or the next version's."""
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey.status != SurveyStatus.DRAFT and not survey.revising:
        raise SurveyStateError(
            Text.of(
                gettext_noop(
                    "公開済みの調査の設問は、「設問を直して新しい版にする」から変更してください。"
                )
            )
        )
    return survey


def survey_update(
    *,
    survey: Survey,
    actor: User,
    title: str,
    fiscal_year: int,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    invitation_required: bool,
    areas: list[str],
    identity_required: bool = False,
) -> Survey:
    """Change a draft survey's settings (下書きの編集)."""
    with transaction.atomic():
        survey = _draft_locked(survey.pk)
        survey.title = title
        survey.fiscal_year = fiscal_year
        survey.catalog_version = survey_catalog_version_for(fiscal_year=fiscal_year)
        survey.opens_on, survey.closes_on = opens_on, closes_on
        survey.invitation_required = invitation_required
        survey.identity_required = identity_required
        survey.areas = areas
        _national_year_free(survey)
        survey.full_clean()
        survey.save()
        audit_log_write(
            actor=actor,
            action="survey.update",
            municipality=survey.municipality,
            target=survey,
            summary=f"調査「{title}」の設定を変更",
        )
    return survey


def survey_question_save(
    *, survey: Survey, actor: User, question: dict[str, Any], question_id: str = ""
) -> str:
    """Add a custom question (独自設問), or replace the one with ``question_id``; returns its id."""
    errors = custom_question_errors(question)
    if errors:
        raise SurveyStateError(Plain(" ".join(errors.values())))  # already in the active language
    with transaction.atomic():
        survey = _questions_locked(survey.pk)
        questions = list(survey.custom_questions)
        if question_id:
            index = next((i for i, q in enumerate(questions) if q["id"] == question_id), None)
            if index is None:
                raise SurveyStateError(Text.of(gettext_noop("その質問は見つかりません。")))
            questions[index] = {**question, "id": question_id}
            action, summary = "survey.question_update", "独自設問を変更"
        else:
            if len(questions) >= MAX_CUSTOM_QUESTIONS:
                raise SurveyStateError(
                    Text.of(gettext_noop("独自設問は%(n)d問までです。"), n=MAX_CUSTOM_QUESTIONS)
                )
            numbers = [int(q["id"][1:]) for q in questions] + [survey.custom_question_serial]
            question_id = f"x{max(numbers) + 1}"
            survey.custom_question_serial = max(numbers) + 1
            questions.append({**question, "id": question_id})
            action, summary = "survey.question_add", "独自設問を追加"
        survey.custom_questions = questions
        survey.save(update_fields=["custom_questions", "custom_question_serial", "updated_at"])
        audit_log_write(
            actor=actor,
            action=action,
            municipality=survey.municipality,
            target=survey,
            summary=f"{summary}（{question_id}）",
            details={"question_id": question_id, "kind": question["kind"]},
        )
    return question_id


def survey_question_delete(*, survey: Survey, actor: User, question_id: str) -> None:
    """Remove a custom question from a draft; its id is never given out again."""
    with transaction.atomic():
        survey = _questions_locked(survey.pk)
        survey.custom_questions = [q for q in survey.custom_questions if q["id"] != question_id]
        survey.save(update_fields=["custom_questions", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.question_delete",
            municipality=survey.municipality,
            target=survey,
            summary=f"独自設問を削除（{question_id}）",
            details={"question_id": question_id},
        )


def survey_question_move(*, survey: Survey, actor: User, question_id: str, offset: int) -> None:
    """Move a custom question up (−1) or down (+1) in the order residents see."""
    with transaction.atomic():
        survey = _questions_locked(survey.pk)
        questions = list(survey.custom_questions)
        index = next((i for i, q in enumerate(questions) if q["id"] == question_id), None)
        if index is None or not 0 <= index + offset < len(questions):
            return
        questions[index], questions[index + offset] = questions[index + offset], questions[index]
        survey.custom_questions = questions
        survey.save(update_fields=["custom_questions", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.question_move",
            municipality=survey.municipality,
            target=survey,
            summary=f"独自設問の順序を変更（{question_id}）",
            details={"question_id": question_id, "offset": offset},
        )


def survey_close(*, survey: Survey, actor: User | None) -> tuple[Survey, Job]:
    """Stop accepting answers (回答受付の終了) and queue the fiscal year's recompute.

    Staff close by hand; ``surveys_close_ended`` closes (``actor=None``) a survey whose end
    date has passed. Returns the survey and the recompute job (one already waiting for the
    same fiscal year and survey type is reused).
    """
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.OPEN:
            raise SurveyStateError(Text.of(gettext_noop("回答受付中の調査だけを終了できます。")))
        survey.status = SurveyStatus.CLOSED
        survey.closed_on = timezone.localdate()
        survey.save(update_fields=["status", "closed_on", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.close",
            municipality=survey.municipality,
            target=survey,
            summary=f"調査「{survey.title}」の回答受付を終了",
        )
        job = _recompute_enqueue(survey=survey, actor=actor)
    return survey, job


def surveys_close_ended(*, today: datetime.date) -> list[tuple[Survey, Job]]:
    """Close every open survey whose end date (回答受付終了日) is before ``today``.

    Such a survey no longer accepts answers; closing it records that in its status and the
    audit log and queues the recompute of its fiscal year. Run nightly
    (``manage.py close_ended_surveys``); a survey closed meanwhile by hand is skipped.
    """
    closed = []
    ended = Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lt=today).order_by("pk")
    for survey in ended:
        try:
            closed.append(survey_close(survey=survey, actor=None))
        except SurveyStateError:
            continue
    return closed


def survey_reopen(*, survey: Survey, actor: User, reason: str) -> Survey:
    """Accept answers again after closing; only with a reason, which the audit log keeps."""
    reason = reason.strip()
    if not reason:
        raise SurveyStateError(Text.of(gettext_noop("再開する理由を入力してください。")))
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.CLOSED:
            raise SurveyStateError(Text.of(gettext_noop("終了した調査だけを再開できます。")))
        if survey.verified_subjects_deleted_on is not None:
            raise SurveyStateError(
                Text.of(
                    gettext_noop(
                        "本人確認の記録を削除したため、この調査は再開できません。"
                        "再開すると、すでに回答した人がもう一度回答できてしまいます。"
                    )
                )
            )
        survey.status = SurveyStatus.OPEN
        survey.closed_on = None
        survey.save(update_fields=["status", "closed_on", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.reopen",
            municipality=survey.municipality,
            target=survey,
            summary=f"調査「{survey.title}」の回答受付を再開：{reason}",
            details={"reason": reason},
        )
    return survey


def verified_subjects_delete_expired(*, today: datetime.date) -> list[tuple[Survey, int]]:
    """Delete the keyed hashes of surveys closed more than the kept days ago (本人確認の記録の削除).

    With ``MACHIWB["VERIFIED_SUBJECTS_KEPT_DAYS"]`` = N, a survey closed on day D keeps them
    through day D + N; the first run after that deletes them.

    The hashes only refuse a second answer, which a closed survey no longer takes; while it
    can still be reopened they are kept. After deletion the survey cannot be reopened (see
    ``survey_reopen``). Each deletion is audited without a person and with the count only.
    Run nightly by ``manage.py close_ended_surveys``; returns the surveys and counts.
    """
    days = settings.MACHIWB["VERIFIED_SUBJECTS_KEPT_DAYS"]
    cutoff = today - datetime.timedelta(days=days)
    expired = Survey.objects.filter(
        identity_required=True,
        status=SurveyStatus.CLOSED,
        closed_on__lt=cutoff,
        verified_subjects_deleted_on__isnull=True,
    ).order_by("pk")
    deleted = []
    for candidate in expired:
        with transaction.atomic():
            survey = Survey.objects.select_for_update().get(pk=candidate.pk)
            if survey.status != SurveyStatus.CLOSED or survey.verified_subjects_deleted_on:
                continue  # reopened (or done) meanwhile
            count, _detail = VerifiedSubject.objects.filter(survey=survey).delete()
            survey.verified_subjects_deleted_on = today
            survey.save(update_fields=["verified_subjects_deleted_on", "updated_at"])
            audit_log_write(
                actor=None,
                action="survey.verified_subjects_delete",
                municipality=survey.municipality,
                target=survey,
                summary=f"調査「{survey.title}」の本人確認の記録を削除（{count}件）",
                details={"count": count},
            )
        deleted.append((survey, count))
    return deleted


def survey_publish(*, survey: Survey, actor: User | None) -> SurveyVersion:
    """Freeze the current definition into a new immutable version and open the survey."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != SurveyStatus.DRAFT:
            raise SurveyStateError(Text.of(gettext_noop("下書きの調査だけを公開できます。")))
        version = _version_freeze(survey)
        number = version.number
        survey.status = SurveyStatus.OPEN
        survey.save(update_fields=["status", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.publish",
            municipality=survey.municipality,
            target=survey,
            summary=f"{survey.title} 第{number}版を公開",
            details={"version": number},
        )
    return version


def _version_freeze(survey: Survey, reason: str = "") -> SurveyVersion:
    """Freeze the survey's current draft into the next version (called inside a transaction)."""
    number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return SurveyVersion.objects.create(
        survey=survey,
        number=number,
        reason=reason,
        definition=definition_build(
            title=survey.title,
            catalog=survey_catalog(catalog_version=survey.catalog_version),
            custom_questions=list(survey.custom_questions),
            areas=list(survey.areas),
        ),
    )


def _published_custom_questions(survey: Survey) -> list[dict[str, Any]]:
    """The custom questions of the newest version, as the draft holds them."""
    version = survey.versions.order_by("-number").first()
    if version is None:
        return []
    return [
        {key: value for key, value in question.items() if key != "standard"}
        for question in version.definition["questions"]
        if not question.get("standard")
    ]


def _revision_locked(survey_id: int, *, revising: bool) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey.status == SurveyStatus.DRAFT:
        raise SurveyStateError(
            Text.of(gettext_noop("下書きの調査は、そのまま設問を変更できます。"))
        )
    if survey.revising != revising:
        raise SurveyStateError(
            Text.of(gettext_noop("新しい版はすでに編集中です。"))
            if survey.revising
            else Text.of(gettext_noop("新しい版を編集していません。"))
        )
    return survey


def survey_revision_start(*, survey: Survey, actor: User) -> Survey:
    """Start the draft of the next version of a published survey (設問を直して新しい版にする).

    Residents keep answering the published version meanwhile; only the custom questions
    change, the standard questionnaire stays locked.
    """
    with transaction.atomic():
        survey = _revision_locked(survey.pk, revising=False)
        survey.revising = True
        survey.custom_questions = _published_custom_questions(survey)
        # a question deleted now must not give its id to a new one: answers keep their ids
        survey.custom_question_serial = max(
            [survey.custom_question_serial, *(int(q["id"][1:]) for q in survey.custom_questions)]
        )
        survey.save(
            update_fields=["revising", "custom_questions", "custom_question_serial", "updated_at"]
        )
        audit_log_write(
            actor=actor,
            action="survey.revision_start",
            municipality=survey.municipality,
            target=survey,
            summary=f"調査「{survey.title}」の新しい版の編集を開始",
        )
    return survey


def survey_revision_discard(*, survey: Survey, actor: User) -> Survey:
    """Drop the draft of the next version; the custom questions are the published ones again."""
    with transaction.atomic():
        survey = _revision_locked(survey.pk, revising=True)
        survey.revising = False
        survey.custom_questions = _published_custom_questions(survey)
        survey.save(update_fields=["revising", "custom_questions", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.revision_discard",
            municipality=survey.municipality,
            target=survey,
            summary=f"調査「{survey.title}」の新しい版の編集を取りやめ",
        )
    return survey


def survey_revision_publish(*, survey: Survey, actor: User, reason: str) -> SurveyVersion:
    """Publish the next version: residents who start from now on get it; earlier responses
    keep pointing at the version they answered. The reason goes to the audit log.
    """
    reason = reason.strip()
    if not reason:
        raise SurveyStateError(Text.of(gettext_noop("新しい版にする理由を入力してください。")))
    with transaction.atomic():
        survey = _revision_locked(survey.pk, revising=True)
        if survey.custom_questions == _published_custom_questions(survey):
            raise SurveyStateError(
                Text.of(gettext_noop("公開中の版から変わっていません。独自設問を直してください。"))
            )
        version = _version_freeze(survey, reason)
        survey.revising = False
        survey.save(update_fields=["revising", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.publish",
            municipality=survey.municipality,
            target=survey,
            summary=f"{survey.title} 第{version.number}版を公開：{reason}",
            details={"version": version.number, "reason": reason},
        )
    return version


def _canonical(answers: dict[str, Any]) -> str:
    return json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _receipt_key(token: str) -> str:
    return salted_hmac("machiwb.surveys.receipt", token, algorithm="sha256").hexdigest()


def _answers_digest(token: str, answers: dict[str, Any]) -> str:
    return salted_hmac(
        "machiwb.surveys.receipt-digest", f"{token}\n{_canonical(answers)}", algorithm="sha256"
    ).hexdigest()


def _outcome_of_existing(receipt: SubmissionReceipt, digest: str) -> SubmitOutcome:
    if not secrets.compare_digest(receipt.answers_digest, digest):
        raise SubmissionRefused(
            _("この回答はすでに送信されています。送信後に回答を変えることはできません。")
        )
    return SubmitOutcome.ALREADY_STORED


def _db_value(field: Field[Any, Any]) -> Callable[[Model, BaseDatabaseWrapper], Any]:
    """How ``save()`` turns the field's value into a query parameter.

    For a plain integer column (most of a response) that is ``int()``: the general route
    through the field costs more than the rest of storing the value.
    """
    if isinstance(field, IntegerField) and not field.is_relation:
        attname = field.attname

        def integer(row: Model, _connection: BaseDatabaseWrapper) -> int | None:
            value = getattr(row, attname)
            return None if value is None else int(value)

        return integer
    return lambda row, db: field.get_db_prep_save(field.pre_save(row, True), db)


RowValues = tuple[Callable[[Model, BaseDatabaseWrapper], Any], ...]


@functools.cache
def _insert_statement(
    models: tuple[type[Model], ...], vendor: str
) -> tuple[list[str], list[RowValues]]:
    """One INSERT per model, as the ORM compiles it, written out once per process.

    On PostgreSQL several rows make one statement: each row but the last in a
    data-modifying WITH clause. One statement is atomic by itself, so outside a transaction
    it needs one round trip instead of BEGIN, one INSERT per row and COMMIT.
    """
    quote = connection.ops.quote_name
    inserts, row_values = [], []
    for model in models:
        fields = model._meta.concrete_fields
        columns = ", ".join(quote(field.column) for field in fields)
        values = ", ".join(["%s"] * len(fields))
        inserts.append(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})")  # noqa: S608 - names from the model, quoted
        row_values.append(tuple(_db_value(field) for field in fields))
    if vendor != "postgresql":
        return inserts, row_values
    clauses = ", ".join(f"row{n} AS ({insert})" for n, insert in enumerate(inserts[:-1]))
    statement = (f"WITH {clauses} " if clauses else "") + inserts[-1]
    return [statement_style(statement, vendor)], row_values


def _insert(*rows: Response | SubmissionReceipt) -> None:
    """INSERT new rows with their primary keys set, as ``save()`` would, wholly or not at all:
    on PostgreSQL in one statement, elsewhere in the caller's transaction or one of its own.

    The statements are the ORM's, written out once (``_insert_statement``): a submission's
    two wide rows otherwise cost more CPU to compile than PostgreSQL takes to store them.
    Neither model has save() overrides or signal receivers.
    """
    statements, row_values = _insert_statement(tuple(type(row) for row in rows), connection.vendor)
    values = [
        [db_value(row, connection) for db_value in db_values]
        for row, db_values in zip(rows, row_values, strict=True)
    ]
    if len(statements) == 1:
        with statement_cursor() as cursor:
            cursor.execute(statements[0], [value for row in values for value in row])
        return
    own = transaction.atomic() if not connection.in_atomic_block else contextlib.nullcontext()
    with own, statement_cursor() as cursor:
        for statement, row in zip(statements, values, strict=True):
            cursor.execute(statement, row)


def response_submit(
    *,
    version: SurveyVersion,
    answers: dict[str, Any],
    submission_token: str,
    invitation_code: str = "",
    identity_subject_hash: str = "",
    municipality_code: str = "",
) -> SubmitOutcome:
    """Store one answer sheet exactly once (回答の送信).

    A retry with the same token and the same answers gets ``ALREADY_STORED`` and stores
    nothing; the same token with different answers is refused. The receipt, the invitation
    code (or the verified person's hash) and the response are written in one transaction, so
    the response is committed before the caller acknowledges it, and a code is never used
    without a stored response.
    For a 全国調査 the municipality is the one the resident chose (``municipality_code``).
    """
    if len(submission_token) < 16:
        raise SubmissionRefused(_("送信の情報が不完全です。最初からやり直してください。"))
    key = _receipt_key(submission_token)
    digest = _answers_digest(submission_token, answers)
    survey = version.survey
    if not survey.is_accepting_on(timezone.localdate()):
        # a retry of a sheet stored before the survey closed still gets its acknowledgement
        existing = SubmissionReceipt.objects.filter(key=key).first()
        if existing is not None:
            return _outcome_of_existing(existing, digest)
        raise SubmissionRefused(_("この調査は現在、回答を受け付けていません。"))
    errors = sheet_errors(version.definition, answers)
    if errors:
        raise SubmissionRefused(_("回答に確認が必要な箇所があります。"), errors)
    municipality_id = survey.municipality_id
    if municipality_id is None:  # 全国調査: the resident's own choice of 市区町村
        municipality_id = (
            Municipality.objects.filter(code=municipality_code, valid_to__isnull=True)
            .values_list("code", flat=True)
            .first()
        )
    if municipality_id is None:
        raise SubmissionRefused(_("お住まいの市区町村を選んでください。"))
    receipt = SubmissionReceipt(key=key, survey_version=version, answers_digest=digest)
    response = Response(
        survey_version=version,
        municipality_id=municipality_id,
        answered_on=timezone.localdate(),
        **response_fields(version.definition, answers),
    )
    # The receipt's primary key makes a second insert of the same token fail (also when
    # sent concurrently): the retry is then answered from the stored receipt.
    try:
        if not (survey.invitation_required or survey.identity_required):
            # Outside a transaction, one statement on PostgreSQL, committed when it returns;
            # inside a caller's, a savepoint keeps that usable when a retry's receipt fails.
            with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
                _insert(receipt, response)
        else:
            with transaction.atomic():
                _insert(receipt)
                if survey.invitation_required:
                    used = InvitationCode.objects.filter(
                        survey=survey,
                        code_hash=invitation_code_hash(survey=survey, code=invitation_code),
                        used=False,
                    ).update(used=True)
                    if used != 1:
                        raise SubmissionRefused(
                            _("招待コードが正しくないか、すでに使われています。")
                        )
                if survey.identity_required:
                    _identity_subject_record(survey=survey, subject_hash=identity_subject_hash)
                _insert(response)
    except IntegrityError:
        existing = SubmissionReceipt.objects.filter(key=key).first()
        if existing is None:
            raise
        return _outcome_of_existing(existing, digest)
    return SubmitOutcome.STORED


def survey_export_start(*, survey: Survey, actor: User, file_format: str) -> Job:
    """Queue the export of the responses (回答データの書き出し) as CSV or .xlsx."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"Unknown export format {file_format!r}.")
    return job_enqueue(
        kind=EXPORT_JOB,
        params={"survey": str(survey.public_id), "format": file_format},
        actor=actor,
        municipality=survey.municipality,
    )


def survey_export_record(*, survey: Survey, actor: User | None, file_format: str) -> None:
    """Audit a download of the raw responses (回答データの書き出し)."""
    with transaction.atomic():
        audit_log_write(
            actor=actor,
            action="survey.export",
            municipality=survey.municipality,
            target=survey,
            summary=f"回答データを書き出し（{file_format}）",
            details={"format": file_format},
        )


def _recompute_enqueue(*, survey: Survey, actor: User | None) -> Job:
    """Queue the recompute of the survey's fiscal year (指標の再計算) as a background job.

    Called inside the caller's transaction: the job commits with the changed responses, and
    a rolled back change leaves no job behind. A recompute of the same year that is still
    waiting is reused: it will read the changed responses when it starts.
    """
    return job_enqueue(
        kind="indicators.recompute",
        params={"fiscal_year": survey.fiscal_year, "survey_type": survey.survey_type},
        actor=actor,
        municipality=survey.municipality,
        coalesce=True,
    )


def _upload_parse(
    *,
    survey: Survey,
    content: bytes,
    file_name: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """The file's answer sheets, each checked against the version its row names."""
    assert survey.municipality is not None  # noqa: S101 - uploads are for 個別調査
    parsed = file_read(content, file_name, max_bytes=settings.MACHIWB["MAX_UPLOAD_BYTES"])
    versions = {v.number: v.definition for v in survey.versions.all()}
    sheets, errors = rows_validate(parsed, versions, survey.municipality.code, progress=progress)
    if errors:
        raise DataFileError(errors)
    return sheets


def survey_upload_check(
    *,
    survey: Survey,
    actor: User,
    content: bytes,
    file_name: str,
    replaces: SurveyUpload | None = None,
) -> SurveyUpload:
    """Check an uploaded results file in full and keep it for confirmation.

    Raises DataFileError listing every problem by row and column; then nothing is stored.
    """
    if survey.status == SurveyStatus.DRAFT or survey.municipality is None:
        raise SurveyStateError(
            Text.of(gettext_noop("公開（または終了）した個別調査にだけアップロードできます。"))
        )
    version = survey.versions.order_by("-number").first()
    if version is None:
        raise SurveyStateError(Text.of(gettext_noop("公開された版がありません。")))
    if replaces is not None and (
        replaces.survey_id != survey.pk or replaces.status != UploadStatus.CONFIRMED
    ):
        raise SurveyStateError(
            Text.of(gettext_noop("置き換えられるのは、取り込み済みのファイルだけです。"))
        )
    sheets = _upload_parse(survey=survey, content=content, file_name=file_name)
    if not sheets:
        raise DataFileError([CellError(0, "", Text.of(gettext_noop("回答の行がありません。")))])
    summary = upload_summary(version.definition, sheets)
    with transaction.atomic():
        upload = SurveyUpload.objects.create(
            survey=survey,
            survey_version=version,
            file_name=file_name[:200],
            file_sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            row_count=len(sheets),
            summary=summary.as_json(),
            replaces=replaces,
            created_by=actor,
        )
        audit_log_write(
            actor=actor,
            action="survey.upload_check",
            municipality=survey.municipality,
            target=upload,
            summary=f"結果ファイル「{upload.file_name}」を確認（{len(sheets)}件）",
            details={"rows": len(sheets), "sha256": upload.file_sha256},
        )
    return upload


#: Rows written between two progress reports of an upload's import.
IMPORT_BATCH = 1000


def survey_upload_import_start(*, upload: SurveyUpload, actor: User) -> Job:
    """Queue the import of a checked upload (取り込みの開始); the job calls
    ``survey_upload_confirm``. Asking twice while it waits returns the same job."""
    if upload.status != UploadStatus.PENDING or upload.content is None:
        raise SurveyStateError(Text.of(gettext_noop("このファイルはすでに処理されています。")))
    return job_enqueue(
        kind=UPLOAD_IMPORT_JOB,
        params={"survey": str(upload.survey.public_id), "upload": str(upload.public_id)},
        actor=actor,
        municipality=upload.survey.municipality,
        coalesce=True,
    )


def survey_upload_confirm(
    *,
    upload: SurveyUpload,
    actor: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SurveyUpload, Job]:
    """Import a checked upload: every row or none; a replaced upload is withdrawn with it.

    Every row is checked again first, then all are written in one transaction, so a failure
    at any point stores nothing. ``progress(done, rows)`` counts each row half when checked
    and half when written. Returns the upload and the job that recomputes the fiscal year.
    """
    upload = SurveyUpload.objects.select_related(
        "survey", "survey_version", "survey__municipality"
    ).get(pk=upload.pk)
    if upload.status != UploadStatus.PENDING or upload.content is None:
        raise SurveyStateError(Text.of(gettext_noop("このファイルはすでに処理されています。")))
    survey = upload.survey
    assert survey.municipality is not None  # noqa: S101 - checked at upload
    report = progress or (lambda _done, _total: None)
    total = upload.row_count
    sheets = _upload_parse(
        survey=survey,
        content=bytes(upload.content),
        file_name=upload.file_name,
        progress=lambda checked, rows: report(checked * total // (2 * rows), total),
    )
    versions = {v.number: v for v in survey.versions.all()}
    today = timezone.localdate()
    rows = []
    for sheet in sheets:
        answered_on = sheet.pop("answered_on", "") or today.isoformat()
        row_version = versions[sheet.pop("survey_version")]
        rows.append(
            Response(
                survey_version=row_version,
                municipality=survey.municipality,
                answered_on=datetime.date.fromisoformat(answered_on),
                upload=upload,
                **response_fields(row_version.definition, sheet),
            )
        )
    secrets.SystemRandom().shuffle(rows)  # the stored order says nothing about the file's
    checked = total // 2
    report(checked, total)
    with transaction.atomic():
        upload = SurveyUpload.objects.select_for_update(of=("self",)).get(pk=upload.pk)
        if upload.status != UploadStatus.PENDING:
            raise SurveyStateError(Text.of(gettext_noop("このファイルはすでに処理されています。")))
        if upload.replaces_id is not None:
            replaced = SurveyUpload.objects.get(pk=upload.replaces_id)
            _upload_withdraw(upload=replaced, actor=actor)
        for start in range(0, len(rows), IMPORT_BATCH):
            Response.objects.bulk_create(rows[start : start + IMPORT_BATCH])
            written = min(start + IMPORT_BATCH, len(rows))
            report(min(total, checked + written * (total - checked) // len(rows)), total)
        upload.status = UploadStatus.CONFIRMED
        upload.content = None
        upload.save(update_fields=["status", "content", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.upload_confirm",
            municipality=survey.municipality,
            target=upload,
            summary=f"結果ファイル「{upload.file_name}」から{len(rows)}件を取り込み",
            details={"rows": len(rows)},
        )
        job = _recompute_enqueue(survey=survey, actor=actor)
    return upload, job


def survey_upload_cancel(*, upload: SurveyUpload, actor: User) -> None:
    """Drop an upload that was checked but not confirmed; its bytes are deleted."""
    with transaction.atomic():
        upload = SurveyUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != UploadStatus.PENDING:
            raise SurveyStateError(Text.of(gettext_noop("このファイルはすでに処理されています。")))
        upload.status = UploadStatus.CANCELLED
        upload.content = None
        upload.save(update_fields=["status", "content", "updated_at"])
        audit_log_write(
            actor=actor,
            action="survey.upload_cancel",
            municipality=upload.survey.municipality,
            target=upload,
            summary=f"結果ファイル「{upload.file_name}」の取り込みを取り消し",
        )


def _upload_withdraw(*, upload: SurveyUpload, actor: User | None) -> int:
    upload = (
        SurveyUpload.objects.select_for_update(of=("self",))
        .select_related("survey")
        .get(pk=upload.pk)
    )
    if upload.status != UploadStatus.CONFIRMED:
        raise SurveyStateError(
            Text.of(gettext_noop("取り込み済みのファイルだけを取り下げられます。"))
        )
    deleted = Response.objects.filter(upload=upload).delete()[0]
    upload.status = UploadStatus.WITHDRAWN
    upload.save(update_fields=["status", "updated_at"])
    audit_log_write(
        actor=actor,
        action="survey.upload_withdraw",
        municipality=upload.survey.municipality,
        target=upload,
        summary=f"結果ファイル「{upload.file_name}」の回答{deleted}件を取り下げ",
        details={"rows": deleted},
    )
    return deleted


def survey_upload_withdraw(*, upload: SurveyUpload, actor: User) -> tuple[int, Job]:
    """Remove every response an upload brought in (取り下げ) and queue the recompute.

    Returns the number of removed responses and the recompute job.
    """
    with transaction.atomic():
        deleted = _upload_withdraw(upload=upload, actor=actor)
        job = _recompute_enqueue(survey=upload.survey, actor=actor)
    return deleted, job
