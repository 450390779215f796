from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from machiwb.indicators.catalog import CATALOG_DIR, catalog_read
from machiwb.surveys.datafile import (
    DataFileError,
    columns_of,
    csv_bytes,
    dictionary_rows,
    file_read,
    neutralise,
    row_of,
    rows_validate,
    upload_summary,
    xlsx_bytes,
)
from machiwb.surveys.questionnaire import definition_build
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS
from machiwb.surveys.tests.conftest import CUSTOM_QUESTIONS, full_answers

DEFINITION = definition_build(
    title="t", catalog=catalog_read(CATALOG_DIR / "fy2023.json"), custom_questions=CUSTOM_QUESTIONS
)
COLUMNS = columns_of(DEFINITION)
LIMIT = 1024 * 1024


def _record(**extra: object) -> dict[str, object]:
    record: dict[str, object] = dict(
        full_answers(), municipality_code="302023", answered_on="2025-10-03"
    )
    record.update(extra)
    return record


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("ok", "ok"),
        (-5, -5),
    ],
)
def test_neutralise_formula_cells(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_columns_are_attributes_then_standard_then_custom_ids_then_the_version() -> None:
    assert COLUMNS[:5] == ["municipality_code", "area", "answered_on", "age_band", "gender"]
    assert COLUMNS[5:51] == list(CATEGORY_ITEM_COLUMNS)
    assert COLUMNS[51:56] == ["q1", "q2", "q3", "q4", "q5"]
    assert COLUMNS[56:] == ["x1", "x2", "x3", "survey_version"]


def test_row_writes_codes_blank_for_no_answer_and_joined_multiple_choice() -> None:
    row = dict(zip(COLUMNS, row_of(_record(x3="=HYPERLINK(1)"), COLUMNS), strict=True))
    assert row["q5"] == ""  # わからない・回答しない
    assert row["x2"] == "1;3"
    assert row["x3"] == "'=HYPERLINK(1)"
    assert row["gender"] == "2"


def test_dictionary_lists_every_column_with_codes() -> None:
    rows = {row[0]: row for row in dictionary_rows(DEFINITION)}
    assert (
        rows["c01_1"][3]
        == "1=まったくそう思わない; 2=そう思わない; 3=どちらともいえない; 4=そう思う; 5=とてもそう思う"
    )
    assert "逆転項目" in rows["c03_2"][6]
    assert rows["x2"][3] == "1=徒歩; 2=自転車; 3=バス"
    assert rows["x1"][4:6] == [0, 100]


def test_csv_round_trip_in_utf8_bom_and_cp932() -> None:
    content = csv_bytes(COLUMNS, [row_of(_record(), COLUMNS)])
    assert content.startswith(b"\xef\xbb\xbf")
    for data in (content, content.decode("utf-8-sig").encode("cp932")):
        parsed = file_read(data, "x.csv", max_bytes=LIMIT)
        sheets, errors = rows_validate(parsed, {1: DEFINITION}, "302023")
        assert errors == []
        assert sheets[0]["x3"] == "公園を増やしてほしい"
        assert sheets[0]["c02_1"] == 3
        assert "q5" not in sheets[0]


def test_xlsx_round_trip_with_dictionary_sheet() -> None:
    content = xlsx_bytes(
        [("responses", COLUMNS, [row_of(_record(), COLUMNS)]), ("dictionary", ["a"], [["b"]])]
    )
    assert load_workbook(io.BytesIO(content)).sheetnames == ["responses", "dictionary"]
    sheets, errors = rows_validate(
        file_read(content, "x.xlsx", max_bytes=LIMIT), {1: DEFINITION}, "302023"
    )
    assert errors == []
    assert sheets[0]["x2"] == ["1", "3"]


def _csv(header: list[str], *rows: list[str]) -> bytes:
    return csv_bytes(header, rows)


def _errors(content: bytes, name: str = "x.csv") -> list[str]:
    try:
        parsed = file_read(content, name, max_bytes=LIMIT)
    except DataFileError as error:
        return [str(e) for e in error.errors]
    return [str(e) for e in rows_validate(parsed, {1: DEFINITION}, "302023")[1]]


def test_broken_files_get_precise_errors() -> None:
    good = row_of(_record(), COLUMNS)
    assert _errors(b"") == ["ファイル：ファイルが空です。"]
    assert _errors(b"a" * (LIMIT + 1)) == ["ファイル：ファイルが大きすぎます（上限 1 MB）。"]
    assert _errors("a,b\n\xff".encode("latin-1") + b"\x81\xff") == [
        "ファイル：文字コードを判別できません。UTF-8 または Shift_JIS で保存してください。"
    ]
    assert _errors(b"not a zip", "x.xlsx") == [
        "ファイル：Excel ファイル（.xlsx）として読めません。保存形式を確認してください。"
    ]
    missing = [c for c in COLUMNS if c != "c05_1"]
    assert _errors(_csv(missing, good[: len(missing)])) == [
        "1行目・c05_1列：必要な列がありません。"
    ]
    assert _errors(_csv([*COLUMNS, "extra"], good)) == [
        "1行目・extra列：この調査にない列です（列名は質問IDで書きます）。"
    ]
    bad = dict(zip(COLUMNS, good, strict=True))
    bad.update(
        c01_1="7",
        gender="9",
        x1="-3",
        x2="1;8",
        x3="=cmd|' /C calc'!A0",
        municipality_code="302015",
        answered_on="2025/10/3",
    )
    assert _errors(_csv(COLUMNS, good, list(bad.values()))) == [
        "3行目・municipality_code列：この調査の団体コード（302023）と違います。",
        "3行目・answered_on列：日付は YYYY-MM-DD の形で書いてください。",
        "3行目・gender列：「9」は使えないコードです（使えるコード：1、2、3、4）。",
        "3行目・c01_1列：「7」：1から5までの数で答えてください。",
        "3行目・x1列：「-3」：0から100までの数で答えてください。",
        "3行目・x2列：「1;8」は使えないコードです（使えるコード：1、2、3）。",
        "3行目・x3列：数式は使えません（値だけを入力してください）。",
    ]


def test_errors_follow_the_language_active_when_the_file_is_checked() -> None:
    row = dict(zip(COLUMNS, row_of(_record(), COLUMNS), strict=True))
    row.update(gender="9")
    with translation.override("en"):
        assert _errors(b"") == ["File: The file is empty."]
        assert _errors(_csv(COLUMNS, list(row.values()))) == [
            "Row 2, column gender: “9” is not a valid code (valid codes: 1, 2, 3, 4)."
        ]


def test_upload_summary_counts_and_reverse_codes() -> None:
    sheets = [
        {"age_band": "3", "gender": "1", "c03_2": 5, "c03_1": 4, "c03_3": 4, "q1": 6},
        {"age_band": "3", "gender": "2", "c03_2": 1, "q1": 8},
    ]
    summary = upload_summary(DEFINITION, sheets)
    assert summary.respondents == 2
    assert summary.by_age_gender == {"3": {"1": 1, "2": 1}}
    housing = {name: (mean, n) for name, mean, n in summary.category_means}["住宅環境"]
    assert housing == (3.5, 4)  # (4 + (6 - 5) + 4 + (6 - 1)) / 4
    assert summary.overall_means[0] == ("q1", 7.0, 2)


def test_a_row_names_a_version_of_the_survey_or_gets_the_newest() -> None:
    second = dict(DEFINITION, questions=[q for q in DEFINITION["questions"] if q["id"] != "x3"])
    header = ",".join(COLUMNS)
    row = ",".join(str(v) for v in row_of(_record(x3=""), COLUMNS))  # ends with an empty version
    content = "\r\n".join([header, row, row + "1", row + "7"])
    parsed = file_read(content.encode(), "v.csv", max_bytes=LIMIT)
    sheets, errors = rows_validate(parsed, {1: DEFINITION, 2: second}, "302023")
    assert [str(e) for e in errors] == [
        "4行目・survey_version列：「7」はこの調査にない版です（使える版：1、2）。"
    ]
    assert [s["survey_version"] for s in sheets] == [2, 1]
