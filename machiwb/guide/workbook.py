"""The analysis workbook (分析用ワークブック): one municipality's results as an Excel file.

Sheets, in this order (documented in docs/formats/workbook.md): 概要, カテゴリー, 設問, 客観指標,
全体設問, 回答者属性. Rows follow the catalog order; nothing is sorted by score. The charts are
native Excel charts (openpyxl), so they stay editable and follow the cells.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, RadarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from machiwb.core.wareki import fiscal_year_label
from machiwb.indicators.models import ScoreRun
from machiwb.indicators.selectors import score_explain, score_municipality

_HEADER_FILL = PatternFill("solid", fgColor="E8F1FE")
SHEETS = ("概要", "カテゴリー", "設問", "客観指標", "全体設問", "回答者属性")


def _table(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = sheet.cell(row=sheet.max_row - len(rows) + 1, column=1)
    # printable for workshops: landscape, one page wide
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for column, title in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        longest = max([len(title)] + [len(str(r[column - 1])) for r in rows if r[column - 1]])
        sheet.column_dimensions[letter].width = max(8, min(48, longest * 2 + 2))


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def workbook_build(*, run: ScoreRun, municipality_code: str) -> bytes:
    """The .xlsx bytes for a municipality in a score run (全国調査 or 個別調査, one fiscal year)."""
    scores = score_municipality(run=run, municipality_code=municipality_code)
    book = Workbook()
    about = book.active
    assert about is not None  # noqa: S101 - a new workbook always has its first sheet
    about.title = SHEETS[0]
    survey_label = "全国調査" if scores.survey_type == "national" else "個別調査"
    about_rows = [
        ("市区町村", f"{scores.municipality_name}（{scores.municipality_code}）"),
        ("年度", fiscal_year_label(scores.fiscal_year)),
        ("調査の種類", survey_label),
        ("回答者数 n", scores.n if scores.n is not None else "公表資料に記載なし"),
        ("指標カタログの版", scores.catalog_version),
        ("算出結果ID", scores.run_public_id),
        ("非表示の基準", f"回答者が{scores.min_public_n}人未満の区分は空欄"),
        (
            "偏差値",
            "参照集団の平均が50、標準偏差が10。表示用は20〜80に収め、補正前の値も別の列に記載",
        ),
        ("順位", "この資料は市区町村の順位を示しません。行は指標カタログの順です"),
    ]
    _table(about, ("項目", "内容"), about_rows)
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 90
    about.append([])
    about.append(["シート", "内容"])
    for name, text in zip(SHEETS[1:], _SHEET_NOTES, strict=True):
        about.append([name, text])

    categories = book.create_sheet(SHEETS[1])
    category_rows = [
        (
            c.code,
            c.group_name_ja,
            c.name_ja,
            _round(c.subjective_value, 2),
            _round(c.subjective_score),
            _round(c.objective_score),
            _round(c.subjective_score_raw, 2),
            _round(c.objective_score_raw, 2),
            c.n,
            c.kpis_with_data,
            c.kpis_total,
        )
        for c in scores.categories
    ]
    _table(
        categories,
        (
            "コード",
            "因子群",
            "カテゴリー",
            "主観 実数（1〜5）",
            "主観 偏差値",
            "客観 偏差値",
            "主観 偏差値（補正前）",
            "客観 偏差値（補正前）",
            "n",
            "データのある客観指標数",
            "客観指標数",
        ),
        category_rows,
    )
    if category_rows:
        radar = RadarChart()
        radar.type = "marker"
        radar.title = "主観と客観の偏差値（24カテゴリー）"
        radar.y_axis.scaling.min = 20
        radar.y_axis.scaling.max = 80
        radar.y_axis.majorUnit = 10
        last = len(category_rows) + 1
        radar.add_data(
            Reference(categories, min_col=5, max_col=6, min_row=1, max_row=last),
            titles_from_data=True,
        )
        radar.set_categories(Reference(categories, min_col=3, min_row=2, max_row=last))
        radar.height, radar.width = 14, 18
        categories.add_chart(radar, "M2")

    items = book.create_sheet(SHEETS[2])
    kpis = book.create_sheet(SHEETS[3])
    item_rows: list[tuple[Any, ...]] = []
    kpi_rows: list[tuple[Any, ...]] = []
    for c in scores.categories:
        explanation = score_explain(
            run=run, municipality_code=municipality_code, category_code=c.code
        )
        for i in explanation.items:
            item_rows.append(
                (
                    i.code,
                    c.name_ja,
                    i.label_ja,
                    i.text_ja,
                    "はい" if i.reverse else "",
                    "はい" if i.provisional else "",
                    _round(i.value, 2),
                    _round(i.score),
                    i.n,
                    _round(i.reference_mean, 3),
                    _round(i.reference_sd, 3),
                    i.reference_n,
                )
            )
        for k in explanation.kpis:
            kpi_rows.append(
                (
                    k.code,
                    c.name_ja,
                    k.name_ja,
                    k.unit,
                    "高いほど良い" if k.direction > 0 else "低いほど良い",
                    k.source,
                    k.vintage,
                    "公式" if k.official else "補助",
                    k.value,
                    _round(k.score),
                    _round(k.reference_mean, 3),
                    _round(k.reference_sd, 3),
                    k.reference_n,
                    k.provenance,
                )
            )
    _table(
        items,
        (
            "列名",
            "カテゴリー",
            "短い名称",
            "設問文",
            "逆転項目",
            "仮の文言",
            "実数（1〜5）",
            "偏差値",
            "n",
            "参照集団の平均",
            "参照集団の標準偏差",
            "参照集団の数",
        ),
        item_rows,
    )
    _table(
        kpis,
        (
            "コード",
            "カテゴリー",
            "指標",
            "単位",
            "向き",
            "出典",
            "時点",
            "区分",
            "値",
            "偏差値",
            "参照集団の平均",
            "参照集団の標準偏差",
            "参照集団の数",
            "来歴",
        ),
        kpi_rows,
    )

    overall = book.create_sheet(SHEETS[4])
    answers = list(range(0, 11))
    overall_rows = []
    for q in scores.overall:
        shares = dict(q.distribution)
        overall_rows.append(
            (
                q.code,
                q.label_ja,
                f"{q.scale_min}〜{q.scale_max}",
                _round(q.mean, 2),
                q.n,
                *[
                    _round(shares.get(a), 1) if q.scale_min <= a <= q.scale_max else None
                    for a in answers
                ],
            )
        )
    _table(
        overall,
        ("コード", "設問", "回答の範囲", "平均", "n", *[str(a) for a in answers]),
        overall_rows,
    )
    if overall_rows:
        bar = BarChart()
        bar.title = "幸福度（Q1）の回答の分布（%）"
        bar.add_data(
            Reference(overall, min_col=6, max_col=16, min_row=2, max_row=2),
            from_rows=True,
            titles_from_data=False,
        )
        bar.set_categories(Reference(overall, min_col=6, max_col=16, min_row=1, max_row=1))
        bar.legend = None
        bar.height, bar.width = 8, 16
        overall.add_chart(bar, "B9")

    profile = book.create_sheet(SHEETS[5])
    genders = list(dict.fromkeys(p.gender_label for p in scores.profile))
    bands = list(dict.fromkeys(p.age_label for p in scores.profile))
    counts = {(p.age_label, p.gender_label): p.n for p in scores.profile}
    _table(
        profile,
        ("年代", *genders),
        [(band, *[counts.get((band, g)) for g in genders]) for band in bands],
    )
    if bands and genders:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "回答者の年代・性別（人）"
        chart.add_data(
            Reference(
                profile, min_col=2, max_col=len(genders) + 1, min_row=1, max_row=len(bands) + 1
            ),
            titles_from_data=True,
        )
        chart.set_categories(Reference(profile, min_col=1, min_row=2, max_row=len(bands) + 1))
        chart.height, chart.width = 8, 16
        profile.add_chart(chart, "F2")
    profile.append([])
    profile.append(["空欄は、回答者が少ないため非表示にした区分か、公表資料に記載がない区分です。"])

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


_SHEET_NOTES = (
    "24カテゴリーの主観・客観の偏差値と実数、n、客観指標の充足（レーダーチャートつき）",
    "46問の設問ごとの実数・偏差値・n と参照集団の統計",
    "客観指標ごとの値・偏差値・単位・向き・出典・時点・来歴",
    "全体設問（幸福度・生活満足度など）の平均・n・回答の分布（列 0〜10 は各回答の割合 %、グラフつき）",
    "回答者の年代×性別の人数（グラフつき）",
)
