"""Writes for surveys (調査の作成・公開・回答の保存).

Anonymity is kept by construction here: a response row gets a random id and a date only; an
invitation code is marked used in the same transaction as the response is stored, but
nothing links the two; the idempotency receipt holds keyed hashes that only the resident's
own submission token can match.
"""

from __future__ import annotations

import enum
import json
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.surveys.answers import response_fields, sheet_errors
from machiwb.surveys.models import (
    InvitationCode,
    Response,
    SubmissionReceipt,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from machiwb.surveys.questionnaire import definition_build
from machiwb.surveys.selectors import survey_catalog

#: Unambiguous alphabet for invitation codes (no 0/O, 1/I/L): 31 symbols.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: 12 symbols ≈ 59 bits: guessing one of even 100,000 live codes stays hopeless.
CODE_LENGTH = 12
MAX_CODES_PER_BATCH = 20_000


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
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
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


def survey_publish(*, survey: Survey, actor: User | None) -> SurveyVersion:
    """Freeze the current definition into a new immutable version and open the survey."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        number = (survey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = SurveyVersion.objects.create(
            survey=survey,
            number=number,
            definition=definition_build(
                title=survey.title,
                catalog=survey_catalog(catalog_version=survey.catalog_version),
                custom_questions=list(survey.custom_questions),
                areas=list(survey.areas),
            ),
        )
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
            "この回答はすでに送信されています。送信後に回答を変えることはできません。"
        )
    return SubmitOutcome.ALREADY_STORED


def response_submit(
    *,
    version: SurveyVersion,
    answers: dict[str, Any],
    submission_token: str,
    invitation_code: str = "",
) -> SubmitOutcome:
    """Store one answer sheet exactly once (回答の送信).

    A retry with the same token and the same answers gets ``ALREADY_STORED`` and stores
    nothing; the same token with different answers is refused. The receipt, the invitation
    code and the response are written in one transaction, so the response is committed
    before the caller acknowledges it, and a code is never used without a stored response.
    """
    if len(submission_token) < 16:
        raise SubmissionRefused("送信の情報が不完全です。最初からやり直してください。")
    key = _receipt_key(submission_token)
    digest = _answers_digest(submission_token, answers)
    existing = SubmissionReceipt.objects.filter(key=key).first()
    if existing is not None:
        return _outcome_of_existing(existing, digest)
    survey = version.survey
    if not survey.is_accepting_on(timezone.localdate()):
        raise SubmissionRefused("この調査は現在、回答を受け付けていません。")
    errors = sheet_errors(version.definition, answers)
    if errors:
        raise SubmissionRefused("回答に確認が必要な箇所があります。", errors)
    municipality = survey.municipality
    if municipality is None:
        raise SubmissionRefused("この調査はこの画面からは回答できません。")
    try:
        with transaction.atomic():
            SubmissionReceipt.objects.create(key=key, survey_version=version, answers_digest=digest)
            if survey.invitation_required:
                used = InvitationCode.objects.filter(
                    survey=survey,
                    code_hash=invitation_code_hash(survey=survey, code=invitation_code),
                    used=False,
                ).update(used=True)
                if used != 1:
                    raise SubmissionRefused("招待コードが正しくないか、すでに使われています。")
            Response.objects.create(
                survey_version=version,
                municipality=municipality,
                answered_on=timezone.localdate(),
                **response_fields(version.definition, answers),
            )
    except IntegrityError:
        existing = SubmissionReceipt.objects.filter(key=key).first()
        if existing is None:
            raise
        return _outcome_of_existing(existing, digest)
    return SubmitOutcome.STORED
