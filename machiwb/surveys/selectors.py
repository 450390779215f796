"""Reads for surveys (調査の参照)."""

from __future__ import annotations

import uuid

from machiwb.surveys.models import Survey, SurveyVersion


def survey_public_get(*, public_id: uuid.UUID) -> Survey | None:
    """A published survey (open or closed) by its public id, for the resident pages."""
    return (
        Survey.objects.select_related("municipality", "municipality__prefecture")
        .exclude(status="draft")
        .filter(public_id=public_id)
        .first()
    )


def survey_version_current(*, survey: Survey) -> SurveyVersion | None:
    """The latest published version of a survey, or None before the first publication."""
    return survey.versions.order_by("-number").first()


def survey_version_by_public_id(*, survey: Survey, public_id: str) -> SurveyVersion | None:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return survey.versions.filter(public_id=key).first()
