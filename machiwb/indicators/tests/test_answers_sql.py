"""The PostgreSQL aggregation gives exactly the cells the plain-Python aggregation gives."""

from __future__ import annotations

import datetime
import random

import numpy as np
import pytest
from django.db import connection

from machiwb.indicators import answers_sql
from machiwb.indicators.answers_sql import answer_cells_postgresql
from machiwb.indicators.compute import (
    ItemSpec,
    QuestionSpec,
    Respondent,
    answer_cells_from_respondents,
)
from machiwb.surveys.models import Response, Survey, SurveyVersion
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("regions_loaded"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]
ITEMS = [ItemSpec(code, code[:3]) for code in CATEGORY_ITEM_COLUMNS]
QUESTIONS = [
    QuestionSpec("q1", 0, 10),
    QuestionSpec("q2", 0, 10),
    QuestionSpec("q3", 1, 5),
    QuestionSpec("q4", 0, 10),
    QuestionSpec("q5", 0, 10),
]


@pytest.mark.parametrize(
    ("packed", "largest_packed_cell"),
    [(True, answers_sql.PACKED_MAX_CELL), (False, answers_sql.PACKED_MAX_CELL), (True, 0)],
    ids=["packed", "plain", "packed-falls-back-for-large-cells"],
)
def test_same_cells_as_the_python_aggregation(
    packed: bool, largest_packed_cell: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answers_sql, "PACKED_MAX_CELL", largest_packed_cell)
    rng = random.Random(7)  # noqa: S311 - test data
    survey = Survey.objects.create(
        survey_type="national", fiscal_year=2026, catalog_version="fy2023", title="t"
    )
    versions = [
        SurveyVersion.objects.create(survey=survey, number=n, definition={}) for n in (1, 2)
    ]
    respondents = []
    for _ in range(400):
        answers: dict[str, int | None] = {
            c: rng.choice([None, 1, 2, 3, 4, 5]) for c in CATEGORY_ITEM_COLUMNS
        }
        for q in QUESTIONS:
            answers[q.code] = rng.choice([None, *range(q.scale_min, q.scale_max + 1)])
        municipality = rng.choice(["302015", "302023", "011002", "131016"])
        age, gender = rng.choice([None, 1, 5, 8]), rng.choice([None, 1, 2, 4])
        Response.objects.create(
            survey_version=rng.choice(versions),
            municipality_id=municipality,
            answered_on=datetime.date(2026, 6, 1),
            age_band=age,
            gender=gender,
            **answers,
        )
        respondents.append(Respondent(municipality, age, gender, answers))
    cells, per_version = answer_cells_postgresql(
        version_ids=[v.pk for v in versions], items=ITEMS, questions=QUESTIONS, packed=packed
    )
    expected = answer_cells_from_respondents(respondents, items=ITEMS, questions=QUESTIONS)
    order = sorted(
        range(len(expected.municipality)),
        key=lambda i: (expected.municipality[i], expected.age_band[i], expected.gender[i]),
    )
    assert cells.municipality == tuple(expected.municipality[i] for i in order)
    np.testing.assert_array_equal(cells.age_band, expected.age_band[order])
    np.testing.assert_array_equal(cells.gender, expected.gender[order])
    np.testing.assert_array_equal(cells.n, expected.n[order])
    np.testing.assert_array_equal(cells.item_sums, expected.item_sums[order])
    np.testing.assert_array_equal(cells.item_counts, expected.item_counts[order])
    for q in QUESTIONS:
        np.testing.assert_array_equal(
            cells.answer_counts[q.code], expected.answer_counts[q.code][order]
        )
    assert sum(per_version.values()) == 400
    assert set(per_version) <= {v.pk for v in versions}
