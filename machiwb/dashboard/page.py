"""What one dashboard screen shows, assembled from the selection (画面の組み立て).

Views stay thin: they parse the URL and hand the selection here. This module reads regions and
scores through their selectors and returns plain objects for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from machiwb.core.wareki import fiscal_year_label
from machiwb.dashboard.selection import MAX_MUNICIPALITIES, Selection
from machiwb.regions.models import Municipality
from machiwb.regions.selectors import municipality_list, municipality_search, prefecture_list
from machiwb.surveys.models import SurveyType


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class Link:
    label: str
    query: str
    detail: str = ""


@dataclass
class DashboardPage:
    selection: Selection
    errors: list[str]
    prefectures: list[Choice]
    municipalities: list[Choice]
    survey_types: list[Choice]
    search: str
    suggestions: list[Link] | None
    compare_search: str
    compare_suggestions: list[Link] | None
    municipality: Municipality | None = None
    compared: list[tuple[Municipality, str]] = field(default_factory=list)
    can_add_compare: bool = True
    fiscal_years: list[Choice] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.municipality is None:
            return _("ダッシュボード")
        return _("%(name)sのダッシュボード") % {"name": self.municipality.name}


def _municipalities_by_code(codes: tuple[str, ...]) -> dict[str, Municipality]:
    rows = Municipality.objects.filter(code__in=codes).select_related("prefecture")
    return {m.code: m for m in rows}


def _suggestions(query: str, selection: Selection, *, compare: bool) -> list[Link] | None:
    if not query.strip():
        return None
    links = []
    for m in municipality_search(query=query, limit=20):
        if compare:
            if m.code in selection.municipalities:
                continue
            chosen = selection.with_changes(compare=(*selection.compare, m.code))
        else:
            chosen = selection.with_changes(municipality=m.code, prefecture=m.prefecture.pref_code)
        links.append(
            Link(
                label=f"{m.prefecture.name} {m.name}", query=chosen.query(), detail=m.name_hiragana
            )
        )
    return links


def dashboard_page(
    *, selection: Selection, errors: list[str], search: str, compare_search: str
) -> DashboardPage:
    """Everything the dashboard screen needs for one selection."""
    errors = list(errors)
    found = _municipalities_by_code(selection.municipalities)
    municipality = found.get(selection.municipality) if selection.municipality else None
    if selection.municipality and municipality is None:
        errors.append(
            _("団体コード「%(code)s」の市区町村は見つかりませんでした。")
            % {"code": selection.municipality}
        )
        selection = selection.with_changes(municipality="")
    if municipality is not None and selection.prefecture != municipality.prefecture.pref_code:
        selection = selection.with_changes(prefecture=municipality.prefecture.pref_code)
    compared = []
    for code in selection.compare:
        if code in found:
            compared.append((found[code], selection.without_compare(code).query()))
        else:
            errors.append(
                _("比較する団体コード「%(code)s」の市区町村は見つかりませんでした。")
                % {"code": code}
            )
    selection = selection.with_changes(compare=tuple(m.code for m, _q in compared))

    prefectures = list(prefecture_list())
    prefecture = next((p for p in prefectures if p.pref_code == selection.prefecture), None)
    municipality_choices = (
        [
            Choice(m.code, m.name, m.code == selection.municipality)
            for m in municipality_list(prefecture=prefecture)
        ]
        if prefecture is not None
        else []
    )
    return DashboardPage(
        selection=selection,
        errors=errors,
        prefectures=[
            Choice(p.pref_code, p.name, p.pref_code == selection.prefecture) for p in prefectures
        ],
        municipalities=municipality_choices,
        survey_types=[
            Choice(value, str(label), value == selection.survey_type)
            for value, label in SurveyType.choices
        ],
        search=search,
        suggestions=_suggestions(search, selection, compare=False),
        compare_search=compare_search,
        compare_suggestions=_suggestions(compare_search, selection, compare=True),
        municipality=municipality,
        compared=compared,
        can_add_compare=municipality is not None
        and len(selection.municipalities) < MAX_MUNICIPALITIES,
        fiscal_years=[
            Choice(str(year), fiscal_year_label(year), year == selection.fiscal_year)
            for year in ([selection.fiscal_year] if selection.fiscal_year else [])
        ],
    )
