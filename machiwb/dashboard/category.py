"""The per-category detail view (カテゴリーの詳細): how one score was made."""

from __future__ import annotations

from dataclasses import dataclass

from machiwb.dashboard.figures import Figure, items_figure
from machiwb.dashboard.results import Result, result_load
from machiwb.dashboard.selection import Selection
from machiwb.indicators.models import Category
from machiwb.indicators.selectors import CategoryExplanation, score_explain, score_run_current
from machiwb.regions.models import Municipality


@dataclass(frozen=True)
class CategoryDetail:
    result: Result
    explanation: CategoryExplanation
    figure: Figure | None
    selection: Selection

    @property
    def back_query(self) -> str:
        return self.selection.query()


def category_detail(*, selection: Selection, category_code: str) -> CategoryDetail | None:
    """The explanation of one category for the selected municipality, or None if there is
    nothing to explain (unknown municipality, year without results, unknown category)."""
    if not selection.municipality or selection.fiscal_year is None:
        return None
    municipality = (
        Municipality.objects.select_related("prefecture")
        .filter(code=selection.municipality)
        .first()
    )
    if municipality is None:
        return None
    result = result_load(
        municipality=municipality,
        fiscal_year=selection.fiscal_year,
        survey_type=selection.survey_type,
    )
    run = score_run_current(fiscal_year=selection.fiscal_year, survey_type=selection.survey_type)
    if result is None or run is None:
        return None
    try:
        explanation = score_explain(
            run=run, municipality_code=municipality.code, category_code=category_code
        )
    except Category.DoesNotExist:
        return None
    return CategoryDetail(
        result=result,
        explanation=explanation,
        figure=items_figure(result, explanation),
        selection=selection,
    )
