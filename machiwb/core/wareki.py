"""Japanese era (和暦) labels for fiscal years (年度) and dates.

A Japanese fiscal year runs from 1 April to 31 March and is named after the calendar year it
starts in: 2024年度 = 令和6年度. Fiscal year 2019 is called 令和元年度 by convention, although
April 2019 still fell in 平成31年.
"""

from __future__ import annotations

import datetime

from machiwb.core.language import english_active

_ERAS: tuple[tuple[datetime.date, str, str], ...] = (
    (datetime.date(2019, 5, 1), "令和", "Reiwa"),
    (datetime.date(1989, 1, 8), "平成", "Heisei"),
)


def _era_year_text(year_in_era: int) -> str:
    return "元" if year_in_era == 1 else str(year_in_era)


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year (年度) a day belongs to: January–March belong to the previous year's."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_era(fiscal_year: int) -> tuple[str, int]:
    """The era name and the year in that era of a fiscal year, e.g. 2024 → ("令和", 6)."""
    if fiscal_year >= 2019:
        return "令和", fiscal_year - 2018
    if fiscal_year >= 1989:
        return "平成", fiscal_year - 1988
    raise ValueError(f"fiscal year {fiscal_year} is before 平成")


def fiscal_year_label(fiscal_year: int) -> str:
    """2024 → "2024年度（令和6年度）" in Japanese, "FY2024 (Reiwa 6)" in English."""
    era, year = fiscal_year_era(fiscal_year)
    if english_active():
        romaji = {"令和": "Reiwa", "平成": "Heisei"}[era]
        return f"FY{fiscal_year} ({romaji} {year})"
    return f"{fiscal_year}年度（{era}{_era_year_text(year)}年度）"


def wareki_date(day: datetime.date) -> str:
    """A date in 和暦, e.g. 2024-04-01 → "令和6年4月1日" (ISO in English)."""
    if english_active():
        return day.isoformat()
    for start, era, _romaji in _ERAS:
        if day >= start:
            return f"{era}{_era_year_text(day.year - start.year + 1)}年{day.month}月{day.day}日"
    raise ValueError(f"{day} is before 平成")
