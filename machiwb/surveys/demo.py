"""Demo data of the surveys app: one 個別調査 of 海南市 (和歌山県) with GENERATED responses.

The responses are generated, not real answers: each item's answers are drawn around 海南市's
published 2026年度版 全国調査 item mean, and the overall questions from its published answer
distributions (machiwb/indicators/data/official/), with a fixed seed. The survey's title says
so, and so does every page that shows it. Running it again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import random
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from machiwb.regions.models import Municipality
from machiwb.surveys.answers import response_fields
from machiwb.surveys.models import Response, Survey, SurveyStatus, SurveyType, SurveyVersion
from machiwb.surveys.questionnaire import NO_ANSWER, definition_build
from machiwb.surveys.selectors import survey_catalog

MUNICIPALITY_CODE = "302023"  # 海南市
DEMO_SURVEY_ID = uuid.UUID("5a1e7c2e-4d0b-5e55-9c6a-302023202501")
TITLE = "【デモ・生成データ】海南市 暮らしと幸福度アンケート"
RESPONSES = 240
SEED = 302023
OFFICIAL = Path(__file__).resolve().parent.parent / "indicators" / "data" / "official"
OVERALL_LABELS = {
    "幸福度": "q1",
    "町内の幸福度": "q2",
    "周りも楽しい": "q3",
    "生活満足度": "q4",
    "5年後の幸福度": "q5",
}
CUSTOM_QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "x1",
        "kind": "single",
        "text": "ふだんの買い物に主に使う移動手段を教えてください。",
        "help": "",
        "required": False,
        "options": [
            {"code": "1", "label": "徒歩・自転車"},
            {"code": "2", "label": "自家用車"},
            {"code": "3", "label": "バス・鉄道"},
            {"code": "4", "label": "家族などの送迎"},
        ],
    },
    {
        "id": "x2",
        "kind": "number",
        "text": "海南市に住んで何年になりますか。",
        "help": "1年未満の場合は0と入力してください。",
        "required": False,
        "min": 0,
        "max": 100,
    },
]


def _official_item_means() -> dict[str, float]:
    path = OFFICIAL / "wb2026_302023_kainan_subjective.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["カテゴリ・評価指標"]: float(row["実数"]) for row in csv.DictReader(handle)}


def _official_distributions() -> dict[str, list[tuple[int, float]]]:
    path = OFFICIAL / "wb2026_302023_kainan_happiness.csv"
    shares: dict[str, list[tuple[int, float]]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            column = OVERALL_LABELS.get(row["設問"])
            if column is not None:
                shares[column].append((int(row["回答"]), float(row["回答割合"])))
    return shares


def _generated_answers(
    rng: random.Random, definition: dict[str, Any], means: dict[str, float], labels: dict[str, str]
) -> dict[str, Any]:
    distributions = _official_distributions()
    answers: dict[str, Any] = {
        "age_band": str(rng.choices(range(2, 9), weights=[6, 9, 12, 15, 18, 22, 18])[0]),
        "gender": str(rng.choices([1, 2, 3, 4], weights=[47, 49, 1, 3])[0]),
        "x1": rng.choices(["1", "2", "3", "4"], weights=[15, 70, 8, 7])[0],
        "x2": min(100, int(rng.expovariate(1 / 25))),
    }
    for column, shares in distributions.items():
        values, weights = zip(*shares, strict=True)
        answers[column] = rng.choices(values, weights=weights)[0]
    for question in definition["questions"]:
        label = labels.get(question["id"])
        if label is None:
            continue
        mean = means.get(label, means.get(f"【逆】{label}", 3.0))
        if question.get("reverse"):
            mean = 6 - mean
        if rng.random() < 0.06:
            answers[question["id"]] = NO_ANSWER
        else:
            answers[question["id"]] = max(1, min(5, round(rng.gauss(mean, 1.0))))
    return answers


def load_demo_data(stdout: TextIO) -> None:
    if Survey.objects.filter(public_id=DEMO_SURVEY_ID).exists():
        stdout.write("surveys: demo survey already present")
        return
    municipality = Municipality.objects.get(code=MUNICIPALITY_CODE)
    catalog = survey_catalog(catalog_version="fy2023")
    labels = {item.code: item.label_ja.removeprefix("【逆】") for item in catalog.items}
    rng = random.Random(SEED)  # noqa: S311 - generated demo answers, not security
    with transaction.atomic():
        survey = Survey.objects.create(
            public_id=DEMO_SURVEY_ID,
            survey_type=SurveyType.INDIVIDUAL,
            municipality=municipality,
            fiscal_year=2025,
            catalog_version="fy2023",
            title=TITLE,
            opens_on=datetime.date(2025, 10, 1),
            custom_questions=CUSTOM_QUESTIONS,
            custom_question_serial=2,
            areas=["海南地区", "下津地区"],
        )
        definition = definition_build(
            title=TITLE,
            catalog=catalog,
            custom_questions=CUSTOM_QUESTIONS,
            areas=list(survey.areas),
        )
        version = SurveyVersion.objects.create(survey=survey, number=1, definition=definition)
        survey.status = SurveyStatus.OPEN
        survey.save(update_fields=["status"])
        means = _official_item_means()
        rows = []
        for _ in range(RESPONSES):
            answers = _generated_answers(rng, definition, means, labels)
            answers["area"] = rng.choice(survey.areas)
            rows.append(
                Response(
                    survey_version=version,
                    municipality=municipality,
                    answered_on=datetime.date(2025, 10, 1) + datetime.timedelta(rng.randrange(30)),
                    **response_fields(definition, answers),
                )
            )
        Response.objects.bulk_create(rows)
    stdout.write(f"surveys: demo survey with {RESPONSES} generated responses")
