"""The standard survey-data format (調査結果ファイル): writing, reading and checking.

One row per respondent, one column per question id, attribute columns first, codes not labels
(docs/formats/survey-data.md). Pure functions on plain data: no ORM.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from machiwb.jobs.messages import Listing, Param, Text
from machiwb.surveys.answers import AnswerError, answer_parse
from machiwb.surveys.questionnaire import NO_ANSWER
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, OVERALL_COLUMNS

ATTRIBUTE_COLUMNS: tuple[str, ...] = (
    "municipality_code",
    "area",
    "answered_on",
    "age_band",
    "gender",
)
#: The version each row answered; last, so that the other columns keep their positions.
VERSION_COLUMN = "survey_version"
#: Columns an uploaded file must have (q5 and the custom questions may be left out).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "age_band",
    "gender",
    *CATEGORY_ITEM_COLUMNS,
    "q1",
    "q2",
    "q3",
    "q4",
)
MULTIPLE_SEPARATOR = ";"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 200
#: Rows checked between two progress reports.
PROGRESS_EVERY = 1000
DICTIONARY_COLUMNS = ("column", "question", "type", "codes", "min", "max", "note")

KIND_NAMES = {
    "agreement5": "5段階（1〜5）",
    "scale11": "0〜10",
    "single": "単一選択（コード）",
    "multiple": "複数選択（コードを ; で区切る）",
    "number": "数値",
    "short_text": "自由記述",
    "long_text": "自由記述",
}


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def columns_of(definition: dict[str, Any]) -> list[str]:
    """The file's columns for a survey definition, in order."""
    custom = [q["id"] for q in definition["questions"] if not q.get("standard")]
    return [*ATTRIBUTE_COLUMNS, *CATEGORY_ITEM_COLUMNS, *OVERALL_COLUMNS, *custom, VERSION_COLUMN]


def definition_of_versions(versions: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    """One definition for a file holding responses of several versions (by number).

    The newest version's questions come first in its order, then custom questions only
    earlier versions asked; a question keeps the wording of the newest version that asked
    it. A custom question not asked in every version lists the versions in ``versions``.
    """
    numbers = sorted(versions, reverse=True)
    merged = dict(versions[numbers[0]])
    questions: dict[str, dict[str, Any]] = {}
    asked: dict[str, list[int]] = {}
    for number in numbers:
        for question in versions[number]["questions"]:
            questions.setdefault(question["id"], question)
            asked.setdefault(question["id"], []).append(number)
    merged["questions"] = [
        question
        if question.get("standard") or len(asked[key]) == len(numbers)
        else dict(question, versions=sorted(asked[key]))
        for key, question in questions.items()
    ]
    return merged


def row_of(record: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """One respondent's row: codes, blank for no answer; multiple choices joined by ``;``."""
    row: list[Any] = []
    for column in columns:
        value = record.get(column)
        if value is None or value == NO_ANSWER:
            row.append("")
        elif isinstance(value, list):
            row.append(MULTIPLE_SEPARATOR.join(str(v) for v in value))
        else:
            row.append(neutralise(value))
    return row


def dictionary_rows(definition: dict[str, Any]) -> list[list[Any]]:
    """The data dictionary (データ辞書): what every column means and which codes it holds."""
    by_id = {q["id"]: q for q in definition["questions"]}
    agreement = "; ".join(f"{v}={label}" for v, label in reversed(definition["agreement_labels"]))
    rows: list[list[Any]] = [
        ["municipality_code", "全国地方公共団体コード（6桁）", "コード", "", "", "", ""],
        ["area", "地区", "文字列", "", "", "", "空欄可"],
        ["answered_on", "回答日", "日付（YYYY-MM-DD）", "", "", "", "時刻は記録しない"],
    ]
    for column in columns_of(definition)[3:-1]:
        question = by_id.get(column)
        if question is None:  # an optional standard column not asked in this survey
            continue
        kind = question["kind"]
        codes = ""
        if kind == "agreement5":
            codes = agreement
        elif question.get("options"):
            codes = "; ".join(f"{o['code']}={o['label']}" for o in question["options"])
        low = question.get("min", 1 if kind == "agreement5" else 0 if kind == "scale11" else "")
        high = question.get("max", 5 if kind == "agreement5" else 10 if kind == "scale11" else "")
        notes = ["空欄＝無回答・わからない・回答しない"]
        if question.get("reverse"):
            notes.append("逆転項目（集計時に 6−回答）")
        if question.get("provisional"):
            notes.append("仮の文言")
        if question.get("max_length"):
            notes.append(f"{question['max_length']}文字まで")
        if question.get("versions"):
            asked = "・".join(f"第{n}版" for n in question["versions"])
            notes.append(f"{asked}の設問（ほかの版の回答では空欄）")
        rows.append(
            [column, question["text"], KIND_NAMES[kind], codes, low, high, "、".join(notes)]
        )
    rows.append(
        [
            VERSION_COLUMN,
            "回答した調査票の版",
            "整数",
            "",
            1,
            "",
            "アップロードでは空欄可（空欄＝最新の版）",
        ]
    )
    return rows


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with BOM (so that Excel opens it correctly), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx workbook with one sheet per (title, header, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One problem, located as a spreadsheet user sees it (row 1 is the header).

    The message is kept untranslated (``jobs.messages.Text``): a background import stores it
    and each reader sees it in their own language; ``str()`` gives it in the active one.
    """

    row: int
    column: str
    message: Text

    def text(self) -> Text:
        """The problem with its place, as one translatable message."""
        place: dict[str, Param] = {"row": self.row, "column": self.column, "message": self.message}
        if self.row and self.column:
            return Text(gettext_noop("%(row)s行目・%(column)s列：%(message)s"), place)
        if self.row:
            return Text(gettext_noop("%(row)s行目：%(message)s"), place)
        if self.column:
            return Text(gettext_noop("ファイル・%(column)s列：%(message)s"), place)
        return Text(gettext_noop("ファイル：%(message)s"), place)

    def __str__(self) -> str:
        return str(self.text())


class DataFileError(ValueError):
    def __init__(self, errors: list[CellError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ParsedFile:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS (CP932), the two Excel writes."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataFileError(
        [
            CellError(
                0,
                "",
                Text.of(
                    gettext_noop(
                        "文字コードを判別できません。UTF-8 または Shift_JIS で保存してください。"
                    )
                ),
            )
        ]
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)


def file_read(content: bytes, filename: str, *, max_bytes: int) -> ParsedFile:
    """Read a CSV or .xlsx file into header and rows of text; DataFileError when unreadable."""
    if not content.strip():
        raise DataFileError([CellError(0, "", Text.of(gettext_noop("ファイルが空です。")))])
    if len(content) > max_bytes:
        message = Text.of(
            gettext_noop("ファイルが大きすぎます（上限 %(mb)s MB）。"), mb=max_bytes // 1024 // 1024
        )
        raise DataFileError([CellError(0, "", message)])
    if filename.lower().endswith(".xlsx"):
        table = _xlsx_rows(content)
    else:
        table = list(csv.reader(io.StringIO(_decode(content), newline="")))
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise DataFileError([CellError(0, "", Text.of(gettext_noop("ファイルが空です。")))])
    if len(table) - 1 > MAX_ROWS:
        message = Text.of(
            gettext_noop("行数が多すぎます（上限 %(rows)s 行）。"), rows=f"{MAX_ROWS:,}"
        )
        raise DataFileError([CellError(0, "", message)])
    header = [cell.strip().lstrip("\ufeff") for cell in table[0]]
    return ParsedFile(header=header, rows=table[1:])


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise DataFileError(
            [
                CellError(
                    0,
                    "",
                    Text.of(
                        gettext_noop(
                            "Excel ファイル（.xlsx）として読めません。保存形式を確認してください。"
                        )
                    ),
                )
            ]
        ) from None
    sheet = workbook.worksheets[0]
    rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def rows_validate(
    parsed: ParsedFile,
    versions: Mapping[int, dict[str, Any]],
    municipality_code: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, Any]], list[CellError]]:
    """Check every cell; return the answer sheets (one per row) and every error found.

    ``versions`` maps version numbers to their definitions. A row is checked against the
    version in its ``survey_version`` cell (empty: the newest); each sheet says which one.
    ``progress(rows checked, rows)`` is called every ``PROGRESS_EVERY`` rows.
    """
    errors: list[CellError] = []
    newest = max(versions)
    by_version = {n: {q["id"]: q for q in d["questions"]} for n, d in versions.items()}
    known = {*ATTRIBUTE_COLUMNS, VERSION_COLUMN}.union(*by_version.values())
    header = parsed.header
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.append(
                CellError(1, column, Text.of(gettext_noop("同じ列名が2回以上あります。")))
            )
        seen.add(column)
        if column not in known:
            errors.append(
                CellError(
                    1,
                    column,
                    Text.of(gettext_noop("この調査にない列です（列名は質問IDで書きます）。")),
                )
            )
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            errors.append(CellError(1, column, Text.of(gettext_noop("必要な列がありません。"))))
    if errors:
        return [], errors
    sheets: list[dict[str, Any]] = []
    for number, row in enumerate(parsed.rows, start=2):
        if progress is not None and (number - 2) % PROGRESS_EVERY == 0:
            progress(number - 2, len(parsed.rows))
        if len(row) > len(header):
            errors.append(
                CellError(number, "", Text.of(gettext_noop("見出しより列が多い行です。")))
            )
            continue
        cells = dict(
            zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=True)
        )
        number_text = cells.get(VERSION_COLUMN, "")
        if not number_text:
            version_number = newest
        elif number_text.isdigit() and int(number_text) in versions:
            version_number = int(number_text)
        else:
            message = Text.of(
                gettext_noop("「%(value)s」はこの調査にない版です（使える版：%(versions)s）。"),
                value=number_text[:20],
                versions=Listing(tuple(str(n) for n in sorted(versions))),
            )
            errors.append(CellError(number, VERSION_COLUMN, message))
            continue
        by_id = by_version[version_number]
        sheet: dict[str, Any] = {
            "answered_on": cells.get("answered_on", ""),
            "survey_version": version_number,
        }
        code = cells.get("municipality_code", "")
        if code and code != municipality_code:
            errors.append(
                CellError(
                    number,
                    "municipality_code",
                    Text.of(
                        gettext_noop("この調査の団体コード（%(code)s）と違います。"),
                        code=municipality_code,
                    ),
                )
            )
        if cells.get("area") and "area" not in by_id:
            errors.append(
                CellError(
                    number,
                    "area",
                    Text.of(
                        gettext_noop("この調査には地区の選択肢がありません。空欄にしてください。")
                    ),
                )
            )
        if cells.get("answered_on") and not _iso_date(cells["answered_on"]):
            errors.append(
                CellError(
                    number,
                    "answered_on",
                    Text.of(gettext_noop("日付は YYYY-MM-DD の形で書いてください。")),
                )
            )
        for column, raw in cells.items():
            question = by_id.get(column)
            if question is None:
                if raw and column not in (*ATTRIBUTE_COLUMNS, VERSION_COLUMN):
                    errors.append(
                        CellError(
                            number,
                            column,
                            Text.of(
                                gettext_noop("第%(version)s版にない設問です。空欄にしてください。"),
                                version=version_number,
                            ),
                        )
                    )
                continue
            if raw.startswith("'") and raw[1:].startswith(FORMULA_PREFIXES):
                raw = raw[1:]
            elif raw.startswith(("=", "@")) or (
                raw.startswith("+") and question["kind"] in ("short_text", "long_text")
            ):
                errors.append(
                    CellError(
                        number,
                        column,
                        Text.of(gettext_noop("数式は使えません（値だけを入力してください）。")),
                    )
                )
                continue
            values = raw.split(MULTIPLE_SEPARATOR) if question["kind"] == "multiple" else [raw]
            try:
                value = answer_parse(dict(question, required=False), values)
            except AnswerError as error:
                errors.append(CellError(number, column, _reason(question, raw, error.text)))
                continue
            if value is not None:
                sheet[column] = value
        sheets.append(sheet)
    return sheets, errors


def _reason(question: dict[str, Any], raw: str, message: Text) -> Text:
    if question["kind"] in ("single", "multiple"):
        codes = Listing(tuple(o["code"] for o in question.get("options", [])))
        return Text.of(
            gettext_noop("「%(value)s」は使えないコードです（使えるコード：%(codes)s）。"),
            value=raw,
            codes=codes,
        )
    return Text.of(gettext_noop("「%(value)s」：%(reason)s"), value=raw[:20], reason=message)


def _iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@dataclass(frozen=True)
class UploadSummary:
    """What staff check before confirming an upload: counts and means (集計の確認)."""

    respondents: int
    by_age_gender: dict[str, dict[str, int]]
    category_means: list[tuple[str, float | None, int]]
    overall_means: list[tuple[str, float | None, int]]

    def as_json(self) -> dict[str, Any]:
        return {
            "respondents": self.respondents,
            "by_age_gender": self.by_age_gender,
            "category_means": [list(c) for c in self.category_means],
            "overall_means": [list(c) for c in self.overall_means],
        }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def upload_summary(definition: dict[str, Any], sheets: list[dict[str, Any]]) -> UploadSummary:
    """Respondents by 年代 × 性別, each category's mean (reverse items as 6 − x), Q1–Q5 means."""
    by_age_gender: dict[str, dict[str, int]] = {}
    for sheet in sheets:
        age = str(sheet.get("age_band", "")) if sheet.get("age_band") != NO_ANSWER else ""
        gender = str(sheet.get("gender", ""))
        row = by_age_gender.setdefault(age or "-", {})
        row[gender or "-"] = row.get(gender or "-", 0) + 1
    categories: dict[str, list[float]] = {}
    for question in definition["questions"]:
        if question.get("category"):
            values = categories.setdefault(question["category"], [])
            for sheet in sheets:
                value = sheet.get(question["id"])
                if isinstance(value, int):
                    values.append(6 - value if question.get("reverse") else value)
    overall = []
    for column in OVERALL_COLUMNS:
        answered = [s[column] for s in sheets if isinstance(s.get(column), int)]
        overall.append((column, _mean(answered), len(answered)))
    return UploadSummary(
        respondents=len(sheets),
        by_age_gender=by_age_gender,
        category_means=[(name, _mean(v), len(v)) for name, v in categories.items()],
        overall_means=overall,
    )
