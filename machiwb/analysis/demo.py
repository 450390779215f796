"""Demo data of the analysis: a 個別調査 of 和歌山市 with GENERATED (not real) responses.

Respondent-level answers of real surveys are not public, so the demo survey's 400 responses
are drawn from a fixed random model: each respondent has a feeling per category, item answers
scatter around it, and 幸福度 / 生活満足度 depend on a few categories (unlike the surveys demo of
海南市, whose generated answers are independent draws and so show no importance at all). The
survey title says 「生成データ」 so that nobody mistakes it for real results. The performance
and gap use the real published 2026年度版 全国調査 偏差値 of 和歌山市 loaded by the indicators demo; the demo
staff accounts of 和歌山市 (accounts demo) can open it.
"""

from __future__ import annotations

import random
from datetime import date

from django.core.management.base import OutputWrapper
from django.db import transaction

from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response, Survey, SurveyStatus, SurveyType
from machiwb.surveys.services import survey_publish
from machiwb.surveys.standard_columns import ITEMS_PER_CATEGORY

MUNICIPALITY_CODE = "302015"  # 和歌山県和歌山市
FISCAL_YEAR = 2026
TITLE = "【デモ・生成データ】和歌山市 幸福度の要因分析用アンケート"
RESPONDENTS = 400

#: How strongly each category (1-based) drives 幸福度 (Q1) and 生活満足度 (Q4) in the model.
HAPPINESS_WEIGHTS = {20: 0.9, 17: 0.6, 23: 0.5, 19: 0.5, 1: 0.3, 6: 0.2}
SATISFACTION_WEIGHTS = {3: 0.6, 2: 0.5, 4: 0.5, 1: 0.4, 10: 0.4, 12: 0.3}


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def generated_answers(*, count: int, seed: int) -> list[dict[str, int | None]]:
    """``count`` generated answer rows (standard columns → value) from the fixed model."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    rows: list[dict[str, int | None]] = []
    for _ in range(count):
        feelings = [rng.gauss(0, 1) for _ in ITEMS_PER_CATEGORY]
        row: dict[str, int | None] = {}
        for number, items in enumerate(ITEMS_PER_CATEGORY, start=1):
            for position in range(1, items + 1):
                value = _clip(3.1 + 0.9 * feelings[number - 1] + rng.gauss(0, 0.7), 1, 5)
                if number == 3 and position == 2:  # 【逆】騒音に悩まされている
                    value = 6 - value
                answer = None if rng.random() < 0.04 else value  # None = わからない／無回答
                row[f"c{number:02d}_{position}"] = answer
        happiness = sum(w * feelings[c - 1] for c, w in HAPPINESS_WEIGHTS.items())
        satisfaction = sum(w * feelings[c - 1] for c, w in SATISFACTION_WEIGHTS.items())
        row["q1"] = _clip(6.4 + happiness + rng.gauss(0, 1.4), 0, 10)
        row["q2"] = _clip(5.8 + 0.5 * happiness + rng.gauss(0, 1.6), 0, 10)
        row["q3"] = _clip(3.3 + 0.3 * happiness + rng.gauss(0, 0.8), 1, 5)
        row["q4"] = _clip(6.0 + satisfaction + rng.gauss(0, 1.4), 0, 10)
        row["q5"] = _clip(6.3 + 0.8 * happiness + rng.gauss(0, 1.6), 0, 10)
        rows.append(row)
    return rows


def load_demo_data(stdout: OutputWrapper) -> None:
    municipality = Municipality.objects.filter(code=MUNICIPALITY_CODE).first()
    if municipality is None:
        stdout.write("analysis demo: regions not loaded, skipped")
        return
    if Survey.objects.filter(municipality=municipality, title=TITLE).exists():
        stdout.write("analysis demo: unchanged")
        return
    with transaction.atomic():
        survey = Survey.objects.create(
            survey_type=SurveyType.INDIVIDUAL,
            municipality=municipality,
            fiscal_year=FISCAL_YEAR,
            catalog_version="fy2023",
            title=TITLE,
        )
        version = survey_publish(survey=survey, actor=None)
        Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
        rng = random.Random(11)  # noqa: S311 - reproducible demo data, not security
        Response.objects.bulk_create(
            Response(
                survey_version=version,
                municipality=municipality,
                answered_on=date(FISCAL_YEAR, 7, 1),
                age_band=rng.randint(2, 8),
                gender=rng.randint(1, 2),
                **answers,
            )
            for answers in generated_answers(count=RESPONDENTS, seed=2026)
        )
    stdout.write(f"analysis demo: {RESPONDENTS} generated responses for {municipality.name}")
