"""Data-table twins, one-sentence summaries and CSV for charts (グラフの代替テキストと表).

Every chart is published with the table of the numbers it draws and a sentence that says what
it shows, so that nothing is only in the image. Summaries describe a chart against its
reference value; they never order municipalities.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from machiwb.charts.specs import Chart, RadarChart, ScatterChart, Series

Cell = str | int | float | None


@dataclass(frozen=True)
class DataTable:
    """The numbers behind a chart: a caption, column headings and rows (row heading first)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def format_value(value: Cell) -> str:
    """One decimal for measured values, whole numbers for counts, "—" when missing or
    suppressed."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


def chart_table(chart: Chart) -> DataTable:
    """The data-table twin of a chart, in the chart's own order."""
    if isinstance(chart, ScatterChart):
        return DataTable(
            caption=chart.meta.title,
            columns=("", chart.x_label, chart.y_label),
            rows=tuple((p.label, p.x, p.y) for p in chart.points),
        )
    labels = chart.axes if isinstance(chart, RadarChart) else chart.categories
    heading = _("項目")
    return DataTable(
        caption=chart.meta.title,
        columns=(heading, *(s.label for s in chart.series)),
        rows=tuple(
            (label, *(s.values[i] if i < len(s.values) else None for s in chart.series))
            for i, label in enumerate(labels)
        ),
    )


def _series_sentence(series: Series, reference: float, total: int) -> str:
    present = [v for v in series.values if v is not None]
    above = sum(1 for v in present if v >= reference)
    sentence = _(
        "%(label)sは%(total)d項目中%(above)d項目が基準%(reference)s以上、%(below)d項目が未満"
    ) % {
        "label": series.label,
        "total": total,
        "above": above,
        "below": len(present) - above,
        "reference": format_value(reference),
    }
    missing = total - len(present)
    if missing:
        sentence += _("（値なし%(missing)d）") % {"missing": missing}
    return sentence


def chart_summary(chart: Chart) -> str:
    """One sentence saying what the chart shows, for the caption and the image's alt text."""
    if isinstance(chart, ScatterChart):
        if chart.x_reference is None or chart.y_reference is None:
            return _("%(title)s：%(count)d点の散布図（横軸 %(x)s、縦軸 %(y)s）。") % {
                "title": chart.meta.title,
                "count": len(chart.points),
                "x": chart.x_label,
                "y": chart.y_label,
            }
        xr, yr = chart.x_reference, chart.y_reference
        quadrants = [
            sum(1 for p in chart.points if p.x >= xr and p.y >= yr),
            sum(1 for p in chart.points if p.x < xr and p.y >= yr),
            sum(1 for p in chart.points if p.x < xr and p.y < yr),
            sum(1 for p in chart.points if p.x >= xr and p.y < yr),
        ]
        names = chart.quadrant_labels or (_("右上"), _("左上"), _("左下"), _("右下"))
        parts = _("、").join(
            _("%(name)s%(count)d") % {"name": name, "count": count}
            for name, count in zip(names, quadrants, strict=True)
        )
        return _("%(title)s：%(count)d点を%(x)s %(xr)sと%(y)s %(yr)sで分けると%(parts)s。") % {
            "title": chart.meta.title,
            "count": len(chart.points),
            "x": chart.x_label,
            "xr": format_value(xr),
            "y": chart.y_label,
            "yr": format_value(yr),
            "parts": parts,
        }
    labels = chart.axes if isinstance(chart, RadarChart) else chart.categories
    if chart.reference is not None:
        reference = chart.reference
        parts = _("、").join(_series_sentence(s, reference, len(labels)) for s in chart.series)
        return _("%(title)s：%(parts)s。") % {"title": chart.meta.title, "parts": parts}
    ranges = []
    for s in chart.series:
        present = [v for v in s.values if v is not None]
        if present:
            ranges.append(
                _("%(label)sは%(low)s〜%(high)s")
                % {
                    "label": s.label,
                    "low": format_value(min(present)),
                    "high": format_value(max(present)),
                }
            )
    return _("%(title)s：%(count)d項目、%(parts)s。") % {
        "title": chart.meta.title,
        "count": len(labels),
        "parts": _("、").join(ranges) or _("値なし"),
    }


def rows_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """CSV text with one header row; an empty cell for a missing or suppressed value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()
