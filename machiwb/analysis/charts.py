"""Quadrant charts of the analysis (重要度×評価、重要度×ギャップ) as chart specifications."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _

from machiwb.analysis import compute
from machiwb.analysis.selectors import AnalysisReport, outcome_label
from machiwb.charts.specs import ChartMeta, ScatterChart, ScatterPoint
from machiwb.core.wareki import fiscal_year_label

ChartKind = Literal["performance", "gap"]
CHART_KINDS: tuple[ChartKind, ...] = ("performance", "gap")


def quadrant_chart(report: AnalysisReport, kind: ChartKind) -> ScatterChart | None:
    """The importance × performance or importance × gap chart, or None with nothing to plot."""
    points = []
    for info, assessment in zip(report.categories, report.assessments, strict=True):
        y = assessment.performance if kind == "performance" else assessment.gap
        if assessment.importance is None or y is None:
            continue
        points.append(ScatterPoint(info.name, round(assessment.importance, 3), round(y, 1)))
    if not points:
        return None
    known = [a.importance for a in report.assessments if a.importance is not None]
    outcome = outcome_label(report.outcome)
    if kind == "performance":
        title = _("重要度×評価（%(outcome)s）") % {"outcome": outcome}
        y_label = _("評価：主観偏差値")
        y_reference = compute.REFERENCE_SCORE
    else:
        title = _("重要度×ギャップ（%(outcome)s）") % {"outcome": outcome}
        y_label = _("ギャップ：主観偏差値 − 客観偏差値")
        y_reference = 0.0
    labels = (_("強みの維持"), _("現状維持"), _("経過観察"), _("重点課題"))
    survey_title = report.survey.title
    if report.municipality.name not in survey_title:
        survey_title = f"{report.municipality.name} {survey_title}"
    subtitle = _("%(survey)s %(year)s 回答者 %(n)s 人") % {
        "survey": survey_title,
        "year": fiscal_year_label(report.survey.fiscal_year),
        "n": report.importance.respondents,
    }
    return ScatterChart(
        meta=ChartMeta(
            title=title,
            subtitle=subtitle,
            source=_("重要度：回答者データの相関係数（ピアソン）。偏差値：指標の算出結果。"),
        ),
        points=tuple(points),
        x_label=_("重要度：%(outcome)sとの相関係数") % {"outcome": outcome},
        y_label=y_label,
        x_reference=compute.importance_threshold(known),
        y_reference=y_reference,
        quadrant_labels=labels,
    )
