from __future__ import annotations

from machiwb.surveys.questionnaire import CATEGORY_ITEM_WORDING, definition_build
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, STANDARD_COLUMNS
from machiwb.surveys.tests.conftest import CUSTOM_QUESTIONS


def test_standard_definition_has_every_standard_column_once_on_some_page() -> None:
    definition = definition_build(title="t", areas=["北部", "南部"])
    ids = [q["id"] for q in definition["questions"]]
    assert ids[:3] == ["age_band", "gender", "area"]
    assert set(STANDARD_COLUMNS) <= set(ids)
    paged = [qid for page in definition["pages"] for qid in page["questions"]]
    assert sorted(paged) == sorted(ids)
    assert all(1 <= len(page["questions"]) <= 6 for page in definition["pages"])


def test_category_items_are_worded_in_column_order_and_reverse_item_is_flagged() -> None:
    assert [column for column, _, _ in CATEGORY_ITEM_WORDING] == list(CATEGORY_ITEM_COLUMNS)
    by_id = {q["id"]: q for q in definition_build(title="t")["questions"]}
    assert by_id["c03_2"]["reverse"] is True
    assert by_id["c01_1"]["category"] == "医療・福祉"
    assert by_id["c24_1"]["group"] == "自分らしい生き方"
    assert by_id["c01_2"]["provisional"] is True
    assert by_id["q3"]["kind"] == "agreement5"
    assert by_id["q1"]["kind"] == "scale11"


def test_custom_questions_follow_the_standard_pages() -> None:
    definition = definition_build(title="t", custom_questions=CUSTOM_QUESTIONS)
    assert definition["pages"][-1]["questions"] == ["x1", "x2", "x3"]
    assert definition["questions"][-1]["standard"] is False
