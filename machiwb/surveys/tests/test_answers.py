from __future__ import annotations

import pytest

from machiwb.indicators.catalog import CATALOG_DIR, catalog_read
from machiwb.surveys.answers import (
    AnswerError,
    answer_parse,
    page_parse,
    response_fields,
    sheet_errors,
    sheet_merge,
)
from machiwb.surveys.questionnaire import definition_build
from machiwb.surveys.tests.conftest import CUSTOM_QUESTIONS, full_answers

FY2023 = catalog_read(CATALOG_DIR / "fy2023.json")
DEFINITION = definition_build(title="t", catalog=FY2023, custom_questions=CUSTOM_QUESTIONS)
BY_ID = {q["id"]: q for q in DEFINITION["questions"]}


@pytest.mark.parametrize(
    ("question_id", "raw", "expected"),
    [
        ("c01_1", ["5"], 5),
        ("c01_1", ["na"], "na"),
        ("c01_1", [], None),
        ("q1", ["0"], 0),
        ("q1", ["１０"], 10),
        ("x1", [" 12 "], 12),
        ("x2", ["3", "1"], ["1", "3"]),
        ("gender", ["4"], "4"),
        ("x3", ["  ご意見  "], "ご意見"),
    ],
)
def test_answer_parse_accepts(question_id: str, raw: list[str], expected: object) -> None:
    assert answer_parse(BY_ID[question_id], raw) == expected


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("c01_1", ["6"], "1から5までの数で答えてください。"),
        ("q1", ["11"], "0から10までの数で答えてください。"),
        ("x1", [], "この質問は回答が必要です。"),
        ("x1", ["101"], "0から100までの数で答えてください。"),
        ("x1", ["たくさん"], "数字で入力してください。"),
        ("x2", ["9"], "選択肢から選んでください。"),
        ("x2", ["na"], "選択肢から選んでください。"),
        ("gender", ["na"], "選択肢から選んでください。"),
        ("c01_1", ["1", "2"], "選択肢を1つだけ選んでください。"),
        ("x3", ["あ" * 401], "400文字以内で入力してください（現在401文字）。"),
    ],
)
def test_answer_parse_explains_what_is_wrong(
    question_id: str, raw: list[str], message: str
) -> None:
    with pytest.raises(AnswerError) as error:
        answer_parse(BY_ID[question_id], raw)
    assert str(error.value) == message


def test_page_parse_collects_answers_and_errors_per_question() -> None:
    questions = [BY_ID["x1"], BY_ID["x2"]]
    result = page_parse(questions, {"q-x1": ["abc"], "q-x2": ["2"]})
    assert result.errors == {"x1": "数字で入力してください。"}
    assert result.answers == {"x2": ["2"]}


def test_sheet_merge_clears_blanked_answers() -> None:
    assert sheet_merge({"c01_1": 3, "c01_2": 4}, {"c01_1": None, "c02_1": 5}) == {
        "c01_2": 4,
        "c02_1": 5,
    }


def test_sheet_errors_rechecks_everything_and_unknown_questions() -> None:
    assert sheet_errors(DEFINITION, full_answers()) == {}
    broken = dict(full_answers(), c05_1=9, extra=1)
    del broken["x1"]
    errors = sheet_errors(DEFINITION, broken)
    assert errors == {
        "_sheet": "調査票にない質問への回答が含まれています。",
        "c05_1": "1から5までの数で答えてください。",
        "x1": "この質問は回答が必要です。",
    }


def test_response_fields_turn_no_answer_into_null_and_split_custom_answers() -> None:
    fields = response_fields(DEFINITION, full_answers())
    assert fields["q5"] is None
    assert fields["q1"] == 7
    assert fields["c01_1"] == 1
    assert fields["age_band"] == 4
    assert fields["gender"] == 2
    assert fields["area"] == ""
    assert fields["custom_answers"] == {"x1": 12, "x2": ["1", "3"], "x3": "公園を増やしてほしい"}
