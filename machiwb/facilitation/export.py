"""Export of a fiscal year's dispatches for the operator's accounting (派遣実績の書き出し).

CSV (UTF-8 with BOM, opens directly in Excel) and .xlsx carry the same columns, in this
order, one row per dispatch ordered by workshop date and municipality code:

申請ID (UUID), 年度, 自治体コード, 自治体名, 都道府県, 種類, 状況, 実施日 (ISO), 希望日 (ISO,
separated by " "), 会場, 参加予定人数, ファシリテーター, 主催者報告の参加者数,
ファシリテーター報告の参加者数, 支払日 (ISO), 謝金（円）, 旅費（円）, 申請日 (ISO).

Text typed by users (venue, names) is neutralised against spreadsheet formula injection: a
cell that would start with = + - @ or a control character gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from machiwb.facilitation.models import Dispatch, ReportRole

HEADER = (
    "申請ID",
    "年度",
    "自治体コード",
    "自治体名",
    "都道府県",
    "種類",
    "状況",
    "実施日",
    "希望日",
    "会場",
    "参加予定人数",
    "ファシリテーター",
    "主催者報告の参加者数",
    "ファシリテーター報告の参加者数",
    "支払日",
    "謝金（円）",
    "旅費（円）",
    "申請日",
)

Cell = str | int | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: str) -> str:
    """Make user text safe to open in a spreadsheet (数式インジェクション対策)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def dispatch_rows(dispatches: Sequence[Dispatch]) -> list[tuple[Cell, ...]]:
    """One row per dispatch; callers pass dispatches with reports and candidates preloaded."""
    rows: list[tuple[Cell, ...]] = []
    for d in dispatches:
        reports = {r.role: r.participants for r in d.reports.all()}
        rows.append(
            (
                str(d.public_id),
                d.fiscal_year,
                d.municipality.code,
                d.municipality.name,
                d.municipality.prefecture.name,
                str(d.get_kind_display()),
                str(d.get_state_display()),
                d.workshop_date.isoformat() if d.workshop_date else "",
                " ".join(c.day.isoformat() for c in d.date_candidates.all()),
                neutralise(d.venue),
                d.expected_participants,
                neutralise(d.facilitator.name) if d.facilitator else "",
                reports.get(ReportRole.ORGANISER),
                reports.get(ReportRole.FACILITATOR),
                d.paid_on.isoformat() if d.paid_on else "",
                d.fee_yen,
                d.travel_expenses_yen,
                d.created_at.date().isoformat(),
            )
        )
    return rows


def to_csv(rows: Sequence[tuple[Cell, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[tuple[Cell, ...]], *, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
