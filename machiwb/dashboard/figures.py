"""The dashboard's charts (グラフ), built from results as chart specifications.

Each figure has a stable name that is part of its download URL, so the image, the PDF and the
CSV of a chart are always rebuilt from the same selection and the same numbers as the page.
Images, table twins and summaries follow the page's language; the CSV files are open data and
do not: one schema per chart, codes and names in both languages (docs/formats/open-data.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils import translation
from django.utils.translation import gettext as _

from machiwb.charts.specs import BarChart, Chart, ChartMeta, RadarChart, Series
from machiwb.charts.tables import DataTable, chart_summary, chart_table, rows_csv
from machiwb.dashboard.results import Result, profile_table
from machiwb.indicators.selectors import CategoryExplanation
from machiwb.surveys.models import AgeBand, Gender


@dataclass(frozen=True)
class Figure:
    """A chart with its name, its table twin, its summary and its CSV."""

    name: str
    chart: Chart
    csv_text: str
    heading: str

    @cached_property
    def table(self) -> DataTable:
        return chart_table(self.chart)

    @cached_property
    def summary(self) -> str:
        return chart_summary(self.chart)


def _figure(name: str, chart: Chart, csv_text: str) -> Figure:
    return Figure(name=name, chart=chart, csv_text=csv_text, heading=chart.meta.title)


#: The first columns of every chart CSV except the official category layout: which result.
RESULT_COLUMNS = ("lg_code", "municipality_name", "fiscal_year", "survey_type")


def _result_key(result: Result) -> tuple[str, str, int, str]:
    return (
        result.municipality.code,
        result.municipality.name,
        result.scores.fiscal_year,
        result.scores.survey_type,
    )


def _labels(choice: AgeBand | Gender) -> tuple[str, str]:
    """A choice's label in Japanese and in English, whatever the page's language."""
    with translation.override("ja"):
        ja = str(choice.label)
    with translation.override("en"):
        en = str(choice.label)
    return ja, en


def _meta(title: str, results: list[Result]) -> ChartMeta:
    """Title, then survey type, fiscal year and n of every result, then the sources."""
    first = results[0]
    if len(results) == 1:
        subtitle = first.meta_line
    else:
        conditions = list(
            dict.fromkeys(
                _("%(type)s・%(year)s") % {"type": r.survey_type_text, "year": r.fiscal_year_text}
                for r in results
            )
        )
        if all(r.scores.n is None for r in results):
            sizes = first.n_text
        else:
            sizes = _("、").join(f"{r.municipality.name}{r.n_short}" for r in results)
        subtitle = _("%(conditions)s・%(sizes)s") % {
            "conditions": _("／").join(conditions),
            "sizes": sizes,
        }
    sources = list(dict.fromkeys(r.source_text for r in results))
    return ChartMeta(title=title, subtitle=subtitle, source=_("　").join(sources))


def official_category_csv(result: Result) -> str:
    """The category scores in the layout of the official dashboard's export (カテゴリー別),
    byte for byte, so that spreadsheets built on that export keep working: the same header,
    the region quoted, values with one decimal. Always in Japanese, like that export."""
    year = result.scores.fiscal_year
    edition = f"{year}年度版(令和{year - 2018}年度版)"
    lines = [
        "年度,調査種別,地域,データ種別,因子群,カテゴリ・評価指標,主観データ実数,主観データ偏差値,客観データ偏差値"
    ]

    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    with translation.override("ja"):
        survey_type = result.survey_type_text
    for category in result.scores.categories:
        fields = [
            edition,
            survey_type,
            '"' + result.region.replace('"', '""') + '"',
            "カテゴリー別",
            category.group_name_ja,
            category.name_ja,
            cell(category.subjective_value),
            cell(category.subjective_score),
            cell(category.objective_score),
        ]
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


CATEGORY_SCORE_COLUMNS = (
    *RESULT_COLUMNS,
    "category_code",
    "category_name_ja",
    "category_name_en",
    "score",
)


def category_scores_csv(results: list[Result], *, objective: bool) -> str:
    """One row per result and category: the subjective or objective 偏差値 of a chart."""
    return rows_csv(
        CATEGORY_SCORE_COLUMNS,
        (
            (
                *_result_key(r),
                c.code,
                c.name_ja,
                c.name_en,
                c.objective_score if objective else c.subjective_score,
            )
            for r in results
            for c in r.scores.categories
        ),
    )


def radar_figure(result: Result) -> Figure:
    """The 24 categories, subjective and objective 偏差値 overlaid, 50 marked."""
    categories = result.scores.categories
    chart = RadarChart(
        meta=_meta(_("%(region)s カテゴリー別偏差値") % {"region": result.region}, [result]),
        axes=tuple(c.name for c in categories),
        series=(
            Series(_("主観（アンケート）"), tuple(c.subjective_score for c in categories)),
            Series(_("客観（統計データ）"), tuple(c.objective_score for c in categories)),
        ),
        value_label=_("偏差値"),
    )
    return _figure("radar", chart, official_category_csv(result))


def compare_radar_figure(results: list[Result], *, objective: bool) -> Figure:
    """One series per municipality or fiscal year, in the order the user added them."""
    axes = tuple(c.name for c in results[0].scores.categories)
    series = []
    for r in results:
        values = tuple(
            (c.objective_score if objective else c.subjective_score) for c in r.scores.categories
        )
        series.append(Series(r.short_label, values))
    title = (
        _("客観（統計データ）の偏差値の比較")
        if objective
        else _("主観（アンケート）の偏差値の比較")
    )
    chart = RadarChart(
        meta=_meta(title, results), axes=axes, series=tuple(series), value_label=_("偏差値")
    )
    return _figure(
        "compare_objective" if objective else "compare_subjective",
        chart,
        category_scores_csv(results, objective=objective),
    )


def trend_figure(results: list[Result], *, objective: bool) -> Figure:
    """Per-category change over fiscal years of one municipality (年度比較)."""
    categories = results[0].scores.categories
    series = tuple(
        Series(
            r.fiscal_year_text,
            tuple(
                (c.objective_score if objective else c.subjective_score)
                for c in r.scores.categories
            ),
        )
        for r in results
    )
    kind = _("客観") if objective else _("主観")
    chart = BarChart(
        meta=_meta(
            _("%(region)s %(kind)s偏差値の年度比較") % {"region": results[0].region, "kind": kind},
            results,
        ),
        categories=tuple(c.name for c in categories),
        series=series,
        value_label=_("偏差値"),
        scale=(20.0, 80.0),
        reference=50.0,
    )
    return _figure(
        "trend_objective" if objective else "trend_subjective",
        chart,
        category_scores_csv(results, objective=objective),
    )


PROFILE_COLUMNS = (
    *RESULT_COLUMNS,
    "age_band",
    "age_label_ja",
    "age_label_en",
    "gender",
    "gender_label_ja",
    "gender_label_en",
    "n",
)


def profile_figure(result: Result) -> Figure | None:
    """Respondents by 年代 × 性別, suppressed cells shown as "—"."""
    table = profile_table(result.scores)
    if table is None:
        return None
    series = tuple(
        Series(
            gender,
            tuple(row[i] for row in table.cells),
        )
        for i, gender in enumerate(table.genders)
    )
    chart = BarChart(
        meta=_meta(_("%(region)s 回答者の年代・性別") % {"region": result.region}, [result]),
        categories=table.ages,
        series=series,
        value_label=_("回答者数"),
    )
    ages = {c.age_label: AgeBand(c.age_band) for c in result.scores.profile}
    genders = {c.gender_label: Gender(c.gender) for c in result.scores.profile}
    rows = (
        (
            *_result_key(result),
            ages[age].value,
            *_labels(ages[age]),
            genders[gender].value,
            *_labels(genders[gender]),
            n,
        )
        for age, cells in zip(table.ages, table.cells, strict=True)
        for gender, n in zip(table.genders, cells, strict=True)
    )
    return _figure("profile", chart, rows_csv(PROFILE_COLUMNS, rows))


OVERALL_COLUMNS = (
    *RESULT_COLUMNS,
    "question_code",
    "label_ja",
    "label_en",
    "answer",
    "percent",
)


def overall_figure(result: Result, code: str) -> Figure | None:
    """A 全体設問's answer distribution in % (never a 偏差値)."""
    question = next((q for q in result.scores.overall if q.code == code), None)
    if question is None or not question.distribution:
        return None
    shares = dict(question.distribution)
    answers = tuple(range(question.scale_max, question.scale_min - 1, -1))
    chart = BarChart(
        meta=_meta(
            _("%(region)s %(label)s の回答分布")
            % {"region": result.region, "label": question.label},
            [result],
        ),
        categories=tuple(str(a) for a in answers),
        series=(Series(_("回答割合（%）"), tuple(shares.get(a) for a in answers)),),
        value_label=_("回答割合（%）"),
        scale=(0.0, max(10.0, (max(shares.values()) // 10 + 1) * 10)),
    )
    rows = (
        (
            *_result_key(result),
            question.code,
            question.label_ja,
            question.label_en,
            a,
            shares.get(a),
        )
        for a in answers
    )
    return _figure(f"overall_{code.lower()}", chart, rows_csv(OVERALL_COLUMNS, rows))


ITEM_COLUMNS = (
    *RESULT_COLUMNS,
    "category_code",
    "item_code",
    "label_ja",
    "text_ja",
    "text_en",
    "score",
)


def items_figure(result: Result, explanation: CategoryExplanation) -> Figure | None:
    """The survey items of one category: 偏差値 per item."""
    items = explanation.items
    if not items:
        return None
    category = explanation.category
    chart = BarChart(
        meta=_meta(
            _("%(region)s %(category)s 設問別の偏差値")
            % {"region": result.region, "category": category.name},
            [result],
        ),
        categories=tuple(i.label for i in items),
        series=(Series(_("主観（アンケート）"), tuple(i.score for i in items)),),
        value_label=_("偏差値"),
        scale=(20.0, 80.0),
        reference=50.0,
    )
    rows = (
        (*_result_key(result), category.code, i.code, i.label_ja, i.text_ja, i.text_en, i.score)
        for i in items
    )
    return _figure(f"items_{category.code}", chart, rows_csv(ITEM_COLUMNS, rows))
