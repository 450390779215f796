"""The dashboard selection (表示条件), held entirely in the URL's query string.

Every state of the dashboard is a plain GET URL, so it can be shared, bookmarked and restored by
the back button, and works without JavaScript. Bad parameters never fail the page: they are
dropped and each one is explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from machiwb.surveys.models import SurveyType

#: The selected municipality plus up to four more: at most five side by side.
MAX_MUNICIPALITIES = 5
MAX_EXTRA_YEARS = 4
FIRST_FISCAL_YEAR = 2022
LAST_FISCAL_YEAR = 2099

Layout = Literal["overlay", "multiples"]
_CODE = re.compile(r"^\d{6}$")
_PREF = re.compile(r"^\d{2}$")


@dataclass(frozen=True)
class Selection:
    """What the dashboard shows: one municipality, survey type and fiscal year, plus
    comparison municipalities and fiscal years. Codes are 全国地方公共団体コード."""

    prefecture: str = ""
    municipality: str = ""
    survey_type: str = SurveyType.NATIONAL
    fiscal_year: int | None = None
    compare: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    layout: Layout = "overlay"

    @property
    def municipalities(self) -> tuple[str, ...]:
        """The selected municipality first, then the comparison ones, as the user added them."""
        return (self.municipality, *self.compare) if self.municipality else self.compare

    def params(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        if self.prefecture:
            pairs.append(("pref", self.prefecture))
        if self.municipality:
            pairs.append(("m", self.municipality))
        pairs.append(("type", self.survey_type))
        if self.fiscal_year is not None:
            pairs.append(("fy", str(self.fiscal_year)))
        pairs.extend(("c", code) for code in self.compare)
        pairs.extend(("y", str(year)) for year in self.years)
        if self.layout != "overlay":
            pairs.append(("layout", self.layout))
        return pairs

    def query(self) -> str:
        return urlencode(self.params())

    def with_changes(self, **changes: object) -> Selection:
        return replace(self, **changes)  # type: ignore[arg-type]

    def without_compare(self, code: str) -> Selection:
        return replace(self, compare=tuple(c for c in self.compare if c != code))

    def without_year(self, year: int) -> Selection:
        return replace(self, years=tuple(y for y in self.years if y != year))


def _fiscal_year(value: str, errors: list[str]) -> int | None:
    if not value:
        return None
    if value.isdigit() and FIRST_FISCAL_YEAR <= int(value) <= LAST_FISCAL_YEAR:
        return int(value)
    errors.append(
        _("年度「%(value)s」は%(first)d以降の西暦の年度で指定してください。")
        % {"value": value[:20], "first": FIRST_FISCAL_YEAR}
    )
    return None


def parse_selection(params: QueryDict) -> tuple[Selection, list[str]]:
    """Read a selection from query parameters; return it with one message per ignored value."""
    errors: list[str] = []
    prefecture = params.get("pref", "").strip()
    if prefecture and not _PREF.match(prefecture):
        errors.append(
            _("都道府県番号「%(value)s」は2桁の数字で指定してください。")
            % {"value": prefecture[:20]}
        )
        prefecture = ""
    municipality = params.get("m", "").strip()
    if municipality and not _CODE.match(municipality):
        errors.append(
            _("団体コード「%(value)s」は6桁の数字で指定してください。")
            % {"value": municipality[:20]}
        )
        municipality = ""
    survey_type = params.get("type", SurveyType.NATIONAL)
    if survey_type not in SurveyType.values:
        errors.append(
            _(
                "調査の種類「%(value)s」は national（全国調査）か individual（個別調査）で指定してください。"
            )
            % {"value": survey_type[:20]}
        )
        survey_type = SurveyType.NATIONAL
    fiscal_year = _fiscal_year(params.get("fy", "").strip(), errors)
    compare: list[str] = []
    for code in params.getlist("c"):
        code = code.strip()
        if not _CODE.match(code):
            errors.append(
                _("比較する団体コード「%(value)s」は6桁の数字で指定してください。")
                % {"value": code[:20]}
            )
        elif code != municipality and code not in compare:
            compare.append(code)
    if len(compare) > MAX_MUNICIPALITIES - 1:
        errors.append(
            _(
                "比較できるのは選んだ市区町村を含めて%(max)d団体までです。6団体目以降は表示していません。"
            )
            % {"max": MAX_MUNICIPALITIES}
        )
        compare = compare[: MAX_MUNICIPALITIES - 1]
    years: list[int] = []
    for value in params.getlist("y"):
        year = _fiscal_year(value.strip(), errors)
        if year is not None and year != fiscal_year and year not in years:
            years.append(year)
    if len(years) > MAX_EXTRA_YEARS:
        errors.append(_("比較する年度は%(max)d年度までです。") % {"max": MAX_EXTRA_YEARS})
        years = years[:MAX_EXTRA_YEARS]
    layout_value = params.get("layout", "overlay")
    layout: Layout = "multiples" if layout_value == "multiples" else "overlay"
    return (
        Selection(
            prefecture=prefecture,
            municipality=municipality,
            survey_type=survey_type,
            fiscal_year=fiscal_year,
            compare=tuple(compare),
            years=tuple(sorted(years)),
            layout=layout,
        ),
        errors,
    )
