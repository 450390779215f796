from __future__ import annotations

import pytest

from machiwb.indicators.catalog import CATALOG_DIR, catalog_read
from machiwb.surveys.questionnaire import definition_build
from machiwb.surveys.selectors import survey_catalog, survey_catalog_version_for
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, STANDARD_COLUMNS
from machiwb.surveys.tests.conftest import CUSTOM_QUESTIONS

FY2023 = catalog_read(CATALOG_DIR / "fy2023.json")


def test_standard_definition_has_every_standard_column_once_on_some_page() -> None:
    definition = definition_build(title="t", catalog=FY2023, areas=["北部", "南部"])
    ids = [q["id"] for q in definition["questions"]]
    assert ids[:3] == ["age_band", "gender", "area"]
    assert set(STANDARD_COLUMNS) <= set(ids)
    paged = [qid for page in definition["pages"] for qid in page["questions"]]
    assert sorted(paged) == sorted(ids)
    assert all(1 <= len(page["questions"]) <= 6 for page in definition["pages"])
    assert definition["catalog_version"] == "fy2023"
    assert definition["agreement_labels"][0] == [5, "とてもそう思う"]


def test_category_items_come_from_the_catalog_in_column_order() -> None:
    definition = definition_build(title="t", catalog=FY2023)
    items = [q for q in definition["questions"] if q.get("category")]
    assert [q["id"] for q in items] == list(CATEGORY_ITEM_COLUMNS)
    by_id = {q["id"]: q for q in definition["questions"]}
    assert by_id["c03_2"]["reverse"] is True
    assert by_id["c01_1"]["category"] == "医療・福祉"
    assert by_id["c01_1"]["text"] == "暮らしている地域は、医療機関が充実している"
    assert by_id["c24_1"]["group"] == "自分らしい生き方"
    assert by_id["c01_2"]["provisional"] is True
    assert by_id["q3"]["kind"] == "agreement5"
    assert by_id["q1"]["kind"] == "scale11"


def test_custom_questions_follow_the_standard_pages() -> None:
    definition = definition_build(title="t", catalog=FY2023, custom_questions=CUSTOM_QUESTIONS)
    assert definition["pages"][-1]["questions"] == ["x1", "x2", "x3"]
    assert definition["questions"][-1]["standard"] is False


@pytest.mark.django_db
def test_catalog_is_read_from_the_shipped_file_before_it_is_loaded() -> None:
    assert survey_catalog_version_for(fiscal_year=2025) == "fy2023"
    assert survey_catalog_version_for(fiscal_year=2022) == "fy2022"
    assert survey_catalog(catalog_version="fy2023").sha256 == FY2023.sha256
