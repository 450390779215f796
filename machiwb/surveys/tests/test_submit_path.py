"""The resident's final submission through the answering endpoint: its database work is pinned."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response, Survey, SurveyType, SurveyVersion
from machiwb.surveys.services import survey_publish
from machiwb.surveys.tests.conftest import full_answers
from machiwb.surveys.views_answer import Sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_rate_limits(settings: Any) -> None:
    """Rate-limit counters in memory, so that only the submission's own queries are counted."""
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


def _submit(client: Client, version: SurveyVersion) -> Any:
    sheet = Sheet(
        version=str(version.public_id), token=secrets.token_urlsafe(24), answers=full_answers()
    )
    return client.post(
        f"/s/{version.survey.public_id}/answer/", {"sheet": sheet.dump(), "nav": "submit"}
    )


def test_a_submission_reads_once_and_writes_receipt_and_response(
    client: Client,
    published: SurveyVersion,
    local_rate_limits: None,
    django_assert_num_queries: Any,
) -> None:
    assert _submit(client, published).status_code == 303  # reads the frozen definition once
    # the survey's state; then, in a test (where the transaction is a savepoint inside the
    # test's own): savepoint, receipt and response (one statement on PostgreSQL), release
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 5):
        response = _submit(client, published)
    assert response.status_code == 303
    assert Response.objects.count() == 2


def test_closing_is_seen_at_once_although_the_definition_is_kept(
    client: Client, published: SurveyVersion, local_rate_limits: None
) -> None:
    assert _submit(client, published).status_code == 303
    survey = published.survey
    survey.status = "closed"
    survey.save()
    response = _submit(client, published)
    assert response.status_code == 409
    assert "回答を受け付けていません" in response.content.decode()
    assert Response.objects.count() == 1


def test_sheet_of_another_survey_is_refused_also_when_its_version_is_kept(
    client: Client, published: SurveyVersion, kainan: Municipality, local_rate_limits: None
) -> None:
    assert _submit(client, published).status_code == 303
    other = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="別の調査",
    )
    survey_publish(survey=other, actor=None)
    sheet = Sheet(version=str(published.public_id), token="t" * 32, answers=full_answers())
    response = client.post(
        f"/s/{other.public_id}/answer/", {"sheet": sheet.dump(), "nav": "submit"}
    )
    assert response.status_code == 400
    assert Response.objects.count() == 1


def test_a_survey_set_back_to_draft_is_not_found(
    client: Client, published: SurveyVersion, local_rate_limits: None
) -> None:
    assert _submit(client, published).status_code == 303
    survey = published.survey
    survey.status = "draft"
    survey.save()
    assert _submit(client, published).status_code == 404
    assert Response.objects.count() == 1
