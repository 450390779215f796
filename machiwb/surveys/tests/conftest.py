"""Fixtures for the survey tests: a real municipality and published surveys."""

from __future__ import annotations

from typing import Any

import pytest

from machiwb.regions.models import Municipality
from machiwb.surveys.models import Survey, SurveyType, SurveyVersion
from machiwb.surveys.services import survey_publish

CUSTOM_QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "x1",
        "kind": "number",
        "text": "この地域に住んで何年になりますか。",
        "help": "",
        "required": True,
        "min": 0,
        "max": 100,
    },
    {
        "id": "x2",
        "kind": "multiple",
        "text": "よく使う移動手段を選んでください。",
        "help": "",
        "required": False,
        "options": [
            {"code": "1", "label": "徒歩"},
            {"code": "2", "label": "自転車"},
            {"code": "3", "label": "バス"},
        ],
    },
    {
        "id": "x3",
        "kind": "long_text",
        "text": "町へのご意見をお書きください。",
        "help": "",
        "required": False,
        "max_length": 400,
    },
]


@pytest.fixture
def kainan(regions_loaded: None) -> Municipality:
    """海南市 (和歌山県)."""
    return Municipality.objects.get(code="302023")


@pytest.fixture
def published(kainan: Municipality) -> SurveyVersion:
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 暮らしと幸福度アンケート",
        custom_questions=CUSTOM_QUESTIONS,
    )
    return survey_publish(survey=survey, actor=None)


@pytest.fixture
def coded(kainan: Municipality) -> SurveyVersion:
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=kainan,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="海南市 招待制アンケート",
        invitation_required=True,
    )
    return survey_publish(survey=survey, actor=None)


def full_answers() -> dict[str, Any]:
    """A complete, valid answer sheet for the ``published`` survey."""
    from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

    answers: dict[str, Any] = {column: 1 + i % 5 for i, column in enumerate(CATEGORY_ITEM_COLUMNS)}
    answers.update({"q1": 7, "q2": 6, "q3": 4, "q4": 8, "q5": "na", "age_band": "4", "gender": "2"})
    answers.update({"x1": 12, "x2": ["1", "3"], "x3": "公園を増やしてほしい"})
    return answers
