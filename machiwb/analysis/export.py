"""The analysis as CSV (分析結果のCSV): one row per outcome and category, in catalog order.

Columns (stable): outcome, category_code, category_name_ja, n, pearson_r, pearson_low,
pearson_high, spearman_rho, spearman_low, spearman_high, ridge_coefficient, ridge_share_percent,
subjective_score, objective_score, gap, performance_quadrant, gap_quadrant, priority, caveats.
Empty cells mean "not computed"; scores are the unclipped 偏差値.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from machiwb.analysis.selectors import AnalysisReport

COLUMNS: tuple[str, ...] = (
    "outcome",
    "category_code",
    "category_name_ja",
    "n",
    "pearson_r",
    "pearson_low",
    "pearson_high",
    "spearman_rho",
    "spearman_low",
    "spearman_high",
    "ridge_coefficient",
    "ridge_share_percent",
    "subjective_score",
    "objective_score",
    "gap",
    "performance_quadrant",
    "gap_quadrant",
    "priority",
    "caveats",
)


def _number(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def analysis_csv(reports: Sequence[AnalysisReport]) -> str:
    """CSV text (UTF-8; the view adds the BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for report in reports:
        for info, importance, assessment in report.rows:
            pearson = importance.pearson if importance else None
            spearman = importance.spearman if importance else None
            writer.writerow(
                [
                    report.outcome,
                    info.code,
                    info.name_ja,
                    importance.n if importance else "",
                    _number(pearson.r if pearson else None),
                    _number(pearson.low if pearson else None),
                    _number(pearson.high if pearson else None),
                    _number(spearman.r if spearman else None),
                    _number(spearman.low if spearman else None),
                    _number(spearman.high if spearman else None),
                    _number(importance.coefficient if importance else None),
                    _number(importance.share if importance else None, 2),
                    _number(assessment.performance, 2),
                    _number(assessment.objective, 2),
                    _number(assessment.gap, 2),
                    assessment.performance_quadrant or "",
                    assessment.gap_quadrant or "",
                    "1" if assessment.is_priority else "0",
                    " ".join(assessment.caveats),
                ]
            )
    return buffer.getvalue()
