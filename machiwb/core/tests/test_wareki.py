from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from machiwb.core.wareki import fiscal_year_label, fiscal_year_of, wareki_date


@pytest.mark.parametrize(
    ("fiscal_year", "label"),
    [
        (2024, "2024年度（令和6年度）"),
        (2019, "2019年度（令和元年度）"),
        (2020, "2020年度（令和2年度）"),
        (2018, "2018年度（平成30年度）"),
        (1989, "1989年度（平成元年度）"),
    ],
)
def test_fiscal_year_label_in_japanese(fiscal_year: int, label: str) -> None:
    with translation.override("ja"):
        assert fiscal_year_label(fiscal_year) == label


def test_fiscal_year_label_in_english() -> None:
    with translation.override("en"):
        assert fiscal_year_label(2024) == "FY2024 (Reiwa 6)"


def test_fiscal_year_before_heisei_is_refused() -> None:
    with pytest.raises(ValueError, match="before"):
        fiscal_year_label(1988)


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (datetime.date(2025, 3, 31), 2024),
        (datetime.date(2025, 4, 1), 2025),
        (datetime.date(2025, 12, 31), 2025),
        (datetime.date(2026, 1, 1), 2025),
    ],
)
def test_fiscal_year_of(day: datetime.date, fiscal_year: int) -> None:
    assert fiscal_year_of(day) == fiscal_year


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (datetime.date(2019, 4, 30), "平成31年4月30日"),
        (datetime.date(2019, 5, 1), "令和元年5月1日"),
        (datetime.date(2024, 4, 1), "令和6年4月1日"),
    ],
)
def test_wareki_date(day: datetime.date, text: str) -> None:
    with translation.override("ja"):
        assert wareki_date(day) == text


def test_template_filters() -> None:
    template = Template("{% load wareki %}{{ fy|fiscal_year }} {{ d|wareki }}")
    with translation.override("ja"):
        rendered = template.render(Context({"fy": 2023, "d": datetime.date(2023, 4, 1)}))
        assert rendered == "2023年度（令和5年度） 令和5年4月1日"
