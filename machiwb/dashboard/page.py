"""What one dashboard screen shows, assembled from the selection (画面の組み立て).

Views stay thin: they parse the URL and hand the selection here. This module reads regions and
scores through their selectors and returns plain objects for the templates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from machiwb.core.language import in_active_language
from machiwb.core.wareki import fiscal_year_label
from machiwb.dashboard.figures import (
    Figure,
    compare_radar_figure,
    overall_figure,
    profile_figure,
    radar_figure,
    trend_figure,
)
from machiwb.dashboard.models import Favorite
from machiwb.dashboard.results import ProfileTable, Result, profile_table, result_load, result_years
from machiwb.dashboard.selection import MAX_EXTRA_YEARS, MAX_MUNICIPALITIES, Selection
from machiwb.indicators.selectors import OverallResult, min_public_cell_n, score_run_current
from machiwb.regions.models import Municipality, Prefecture
from machiwb.regions.selectors import municipality_list, municipality_search
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
    result: Result | None = None
    compare_results: list[Result] = field(default_factory=list)
    year_results: list[Result] = field(default_factory=list)
    extra_years: list[tuple[str, str]] = field(default_factory=list)
    addable_years: list[Choice] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    profile: ProfileTable | None = None
    can_favorite: bool = False
    favorite: Favorite | None = None

    @property
    def favorite_label(self) -> str:
        """A favourite's name: the municipality, survey type, fiscal year and comparisons."""
        if self.municipality is None:
            return ""
        parts = [f"{self.municipality.prefecture.name} {self.municipality.name}"]
        kind = next((c.label for c in self.survey_types if c.selected), "")
        year = fiscal_year_label(self.selection.fiscal_year) if self.selection.fiscal_year else ""
        parts.append(_("・").join(p for p in (kind, year) if p))
        if self.compared:
            parts.append(
                _("比較：%(names)s") % {"names": _("、").join(m.name for m, _q in self.compared)}
            )
        if self.selection.years:
            parts.append(
                _("年度比較：%(years)s")
                % {"years": _("、").join(str(y) for y in self.selection.years)}
            )
        return _("　").join(parts)

    @property
    def cache_key(self) -> str:
        """Key of the rendered results: the selection, the runs shown (immutable), the
        language and the suppression threshold. Empty (not cached) while a search is typed."""
        if self.result is None or self.compare_search:
            return ""
        runs = ",".join(
            r.scores.run_public_id for r in [*self.compared_results, *self.year_results]
        )
        parts = (self.selection.query(), runs, get_language() or "ja", str(min_public_cell_n()))
        return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()

    @property
    def compared_results(self) -> list[Result]:
        """The selected municipality first, then the comparison ones in the order added."""
        return [self.result, *self.compare_results] if self.result else []

    @property
    def timeline(self) -> list[Result]:
        """The selected municipality over the chosen fiscal years, oldest first."""
        if self.result is None:
            return []
        return sorted([self.result, *self.year_results], key=lambda r: r.scores.fiscal_year)

    def layout_query(self, layout: str) -> str:
        return self.selection.with_changes(layout=layout).query()

    @property
    def overlay_query(self) -> str:
        return self.layout_query("overlay")

    @property
    def multiples_query(self) -> str:
        return self.layout_query("multiples")

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """Every chart of this page by name (the download URLs use the names)."""
        if self.result is None:
            return {}
        found: list[Figure | None] = [profile_figure(self.result)]
        if self.result.has_scores:
            found.append(radar_figure(self.result))
        found.extend(overall_figure(self.result, q.code) for q in self.result.scores.overall)
        # Charts of 偏差値 are drawn only when some result has them: never an empty chart.
        if self.compare_results and any(r.has_scores for r in self.compared_results):
            compared = self.compared_results
            found.append(compare_radar_figure(compared, objective=False))
            found.append(compare_radar_figure(compared, objective=True))
        if self.year_results and any(r.has_scores for r in self.timeline):
            found.append(trend_figure(self.timeline, objective=False))
            found.append(trend_figure(self.timeline, objective=True))
        return {f.name: f for f in found if f is not None}

    @property
    def overall_rows(self) -> list[tuple[OverallResult, Figure | None]]:
        if self.result is None:
            return []
        figures = self.figures
        return [(q, figures.get(f"overall_{q.code.lower()}")) for q in self.result.scores.overall]

    @property
    def profile_rows(self) -> list[tuple[str, tuple[int | None, ...]]]:
        if self.profile is None:
            return []
        return list(zip(self.profile.ages, self.profile.cells, strict=True))

    @property
    def multiples(self) -> list[tuple[Result, str]]:
        """Each compared municipality with the query of its own single view (small multiples)."""
        return [
            (
                r,
                Selection(
                    municipality=r.municipality.code,
                    survey_type=self.selection.survey_type,
                    fiscal_year=self.selection.fiscal_year,
                ).query(),
            )
            for r in self.compared_results
        ]

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

    prefectures = list(
        Prefecture.objects.order_by("pref_code").only("pref_code", "name", "name_en")
    )
    prefecture = next((p for p in prefectures if p.pref_code == selection.prefecture), None)
    municipality_choices = (
        [
            Choice(m.code, m.name, m.code == selection.municipality)
            for m in municipality_list(prefecture=prefecture)
        ]
        if prefecture is not None
        else []
    )
    years = (
        result_years(municipality_code=municipality.code, survey_type=selection.survey_type)
        if municipality is not None
        else []
    )
    if selection.fiscal_year is None and years:
        selection = selection.with_changes(fiscal_year=years[0])
    page = DashboardPage(
        selection=selection,
        errors=errors,
        prefectures=[
            Choice(
                p.pref_code,
                in_active_language(p.name, p.name_en),
                p.pref_code == selection.prefecture,
            )
            for p in prefectures
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
            for year in years
        ],
    )
    if municipality is not None and selection.fiscal_year is not None:
        _load_results(page, municipality, years, selection.fiscal_year)
    return page


def _load_results(
    page: DashboardPage, municipality: Municipality, years: list[int], fiscal_year: int
) -> None:
    selection = page.selection
    run = score_run_current(fiscal_year=fiscal_year, survey_type=selection.survey_type)
    page.result = result_load(
        municipality=municipality,
        fiscal_year=fiscal_year,
        survey_type=selection.survey_type,
        run=run,
    )
    if page.result is None:
        return
    page.profile = profile_table(page.result.scores)
    for compared, _query in page.compared:
        result = result_load(
            municipality=compared,
            fiscal_year=fiscal_year,
            survey_type=selection.survey_type,
            run=run,
        )
        if result is None:
            page.missing.append(
                _("%(name)sには%(fy)sの%(type)sの結果がありません。")
                % {
                    "name": compared.name,
                    "fy": fiscal_year_label(fiscal_year),
                    "type": page.result.survey_type_text,
                }
            )
        else:
            page.compare_results.append(result)
    for year in selection.years:
        result = result_load(
            municipality=municipality, fiscal_year=year, survey_type=selection.survey_type
        )
        if result is None:
            page.missing.append(
                _("%(name)sには%(fy)sの結果がありません。")
                % {"name": municipality.name, "fy": fiscal_year_label(year)}
            )
        else:
            page.year_results.append(result)
        page.extra_years.append((fiscal_year_label(year), selection.without_year(year).query()))
    if len(selection.years) < MAX_EXTRA_YEARS:
        page.addable_years = [
            Choice(str(year), fiscal_year_label(year))
            for year in years
            if year != fiscal_year and year not in selection.years
        ]
    page.notices = comparability_notices([*page.compared_results, *page.year_results])


def comparability_notices(results: list[Result]) -> list[str]:
    """「直接比較できません」: shown when the results on one screen differ in survey type,
    questionnaire version (FY2022 used an older instrument) or origin."""
    notices = []
    if len({r.scores.survey_type for r in results}) > 1:
        notices.append(
            _(
                "全国調査と個別調査の結果が混在しています。調査方法と対象者が異なるため、直接比較できません。"
            )
        )
    if len({r.scores.catalog_version for r in results}) > 1:
        notices.append(
            _(
                "調査票の版が異なる年度が含まれています（2022年度は旧調査票）。設問が異なるため、直接比較できません。"
            )
        )
    if len({r.scores.origin for r in results}) > 1:
        notices.append(
            _(
                "公表値の取込と回答からの算出が混在しています。偏差値の基準集団が異なるため、直接比較できません。"
            )
        )
    return notices
