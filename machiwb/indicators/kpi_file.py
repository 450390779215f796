"""Reading KPI values files (客観指標データ), pure code.

A file is CSV (UTF-8, UTF-8 with BOM or Shift_JIS/CP932, detected) or Excel .xlsx (first
sheet) with one header row and the columns (English or Japanese names):

``municipality_code``/``団体コード`` (6 digits), ``kpi_code``/``指標コード``,
``value``/``値`` and optionally ``note``/``出典の注記``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from machiwb.indicators.textfile import DecodeError, decode_text
from machiwb.jobs.messages import Param, Plain, Text

COLUMNS = {
    "municipality_code": "municipality_code",
    "団体コード": "municipality_code",
    "kpi_code": "kpi_code",
    "指標コード": "kpi_code",
    "value": "value",
    "値": "value",
    "note": "note",
    "出典の注記": "note",
}
REQUIRED = ("municipality_code", "kpi_code", "value")
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported: row (1 = header), column and why.

    The reason is kept untranslated (``jobs.messages.Text``) so that a background import
    stores it and each reader sees it in their own language; ``str()`` gives the active one.
    """

    row: int
    column: str
    reason: Text

    def text(self) -> Text:
        """The problem with its place, as one translatable message."""
        place: dict[str, Param] = {"row": self.row, "column": self.column, "message": self.reason}
        if self.row and self.column:
            return Text(gettext_noop("%(row)s行目・%(column)s列：%(message)s"), place)
        if self.row:
            return Text(gettext_noop("%(row)s行目：%(message)s"), place)
        return Text(gettext_noop("ファイル：%(message)s"), place)

    def __str__(self) -> str:
        return str(self.text())


def problems_heading(count: int) -> Text:
    """The line above a refused file's problems (job page, command output)."""
    return Text.of(gettext_noop("%(n)d件の問題があるため、何も取り込んでいません。"), n=count)


@dataclass(frozen=True)
class KpiRow:
    row: int
    municipality_code: str
    kpi_code: str
    value: float
    note: str


@dataclass(frozen=True)
class KpiRange:
    low: float
    high: float


class KpiFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, *, name: str) -> tuple[list[list[str]], str]:
    """The file's rows as text cells, and its detected format (utf-8, cp932, xlsx …)."""
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            reason = Text.of(
                gettext_noop("読み取れる .xlsx ファイルではありません（%(detail)s）。"),
                detail=Plain(str(exc)),
            )
            raise KpiFileError([Problem(0, "", reason)]) from None
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows, "xlsx"
    try:
        text, encoding = decode_text(data, name=name)
    except DecodeError as exc:
        raise KpiFileError([Problem(0, "", exc.text)]) from None
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))], encoding


#: Rows checked between two progress reports.
PROGRESS_EVERY = 1000


def parse_kpi_rows(
    rows: list[list[str]],
    *,
    known_kpis: dict[str, KpiRange],
    current_codes: set[str],
    retired_codes: set[str],
    progress: Callable[[int, int], None] | None = None,
) -> list[KpiRow]:
    """Validate every row; raise ``KpiFileError`` listing every problem, else return the rows.

    ``progress(rows checked, rows)`` is called every ``PROGRESS_EVERY`` rows.
    """
    problems: list[Problem] = []
    if not rows:
        raise KpiFileError([Problem(0, "", Text.of(gettext_noop("ファイルが空です。")))])
    header = [COLUMNS.get(h.lstrip("\ufeff").strip(), h) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        reason = Text.of(gettext_noop("必要な列がありません。"))
        raise KpiFileError([Problem(1, c, reason) for c in missing])
    position = {c: header.index(c) for c in (*REQUIRED, "note") if c in header}
    out: list[KpiRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if progress is not None and (number - 2) % PROGRESS_EVERY == 0:
            progress(number - 2, len(rows) - 1)
        if not any(row):
            continue
        cell = {c: (row[i] if i < len(row) else "") for c, i in position.items()}
        code, kpi, raw = cell["municipality_code"], cell["kpi_code"], cell["value"]
        ok = True
        if code in retired_codes:
            reason = Text.of(gettext_noop("%(code)s は廃止された団体です。"), code=code)
            problems.append(Problem(number, "municipality_code", reason))
            ok = False
        elif code not in current_codes:
            if len(code) == 5:
                reason = Text.of(
                    gettext_noop(
                        "「%(code)s」という団体コードはありません"
                        "（検査数字を含む6桁の団体コードを使ってください）。"
                    ),
                    code=code,
                )
            else:
                reason = Text.of(
                    gettext_noop("「%(code)s」という団体コードはありません。"), code=code
                )
            problems.append(Problem(number, "municipality_code", reason))
            ok = False
        if kpi not in known_kpis:
            reason = Text.of(gettext_noop("「%(kpi)s」という指標コードはありません。"), kpi=kpi)
            problems.append(Problem(number, "kpi_code", reason))
            ok = False
        try:
            value = float(raw.replace(",", ""))
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            reason = Text.of(gettext_noop("「%(value)s」は数値ではありません。"), value=raw)
            problems.append(Problem(number, "value", reason))
            continue
        if kpi in known_kpis:
            limits = known_kpis[kpi]
            if not limits.low <= value <= limits.high:
                reason = Text.of(
                    gettext_noop(
                        "%(value)s は %(kpi)s のありうる範囲 %(low)s〜%(high)s の外です。"
                    ),
                    value=f"{value:g}",
                    kpi=kpi,
                    low=f"{limits.low:g}",
                    high=f"{limits.high:g}",
                )
                problems.append(Problem(number, "value", reason))
                ok = False
        key = (code, kpi)
        if key in seen:
            reason = Text.of(
                gettext_noop("%(row)d行目と同じ団体・指標です（%(code)s、%(kpi)s）。"),
                row=seen[key],
                code=code,
                kpi=kpi,
            )
            problems.append(Problem(number, "kpi_code", reason))
            ok = False
        else:
            seen[key] = number
        if ok:
            out.append(KpiRow(number, code, kpi, value, cell.get("note", "")[:300]))
    if problems:
        raise KpiFileError(problems)
    return out


def kpi_csv(rows: Iterable[tuple[str, str, float, str]]) -> str:
    """Write KPI values in the import format (UTF-8, header in English)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["municipality_code", "kpi_code", "value", "note"])
    for code, kpi, value, note in rows:
        writer.writerow([code, kpi, f"{value:.6g}", note])
    return buffer.getvalue()
