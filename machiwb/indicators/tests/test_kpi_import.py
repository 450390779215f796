"""Importing KPI values: formats, validation by row and column, provenance, all-or-nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from machiwb.audit.models import AuditEntry
from machiwb.indicators.kpi_file import Problem
from machiwb.indicators.models import KpiImport, KpiValue
from machiwb.indicators.public_kpis import public_kpi_rows
from machiwb.indicators.services import KpiImportError, kpi_values_import
from machiwb.regions.models import Municipality
from machiwb.regions.sources import DATA_DIR

pytestmark = pytest.mark.usefixtures("regions_loaded", "catalog_loaded")

GOOD = (
    "municipality_code,kpi_code,value,note\n"
    "302015,vacant_house_rate,13.8,住宅・土地統計調査\n"
    "302023,vacant_house_rate,17.1,\n"
    "302015,elderly_share,30.8,\n"
)


def _refused(data: bytes, name: str = "kpi.csv") -> list[Problem]:
    with pytest.raises(KpiImportError) as exc:
        kpi_values_import(fiscal_year=2026, file_name=name, data=data)
    assert KpiValue.objects.count() == 0
    assert KpiImport.objects.count() == 0
    return exc.value.problems


def _problems(data: bytes, name: str = "kpi.csv") -> list[str]:
    return [str(p) for p in _refused(data, name)]


@pytest.mark.parametrize(
    ("encode", "expected_format"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: "\ufeff".encode() + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("cp932"), "cp932"),
    ],
    ids=["utf-8", "bom", "cp932"],
)
def test_csv_in_every_encoding_is_imported_with_provenance(encode, expected_format) -> None:  # type: ignore[no-untyped-def]
    data = encode(GOOD)
    batch = kpi_values_import(fiscal_year=2026, file_name="kpi.csv", data=data)
    assert batch.file_format == expected_format
    assert batch.row_count == 3
    value = KpiValue.objects.get(kpi_code="vacant_house_rate", municipality_id="302015")
    assert (value.value, value.note, value.source_import) == (13.8, "住宅・土地統計調査", batch)
    assert AuditEntry.objects.filter(action="indicators.kpi_import").count() == 1


def test_xlsx_with_japanese_headers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["団体コード", "指標コード", "値"])
    sheet.append(["302015", "vacant_house_rate", 13.8])
    sheet.append(["302031", "net_in_migration_rate", -0.4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = kpi_values_import(fiscal_year=2026, file_name="kpi.xlsx", data=buffer.getvalue())
    assert batch.file_format == "xlsx"
    assert KpiValue.objects.get(municipality_id="302031").value == -0.4


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_written() -> None:
    retired = (
        Municipality.objects.filter(valid_to__isnull=False).values_list("code", flat=True).first()
    )
    lines = [
        "municipality_code,kpi_code,value",
        "302015,vacant_house_rate,13.8",
        "999999,vacant_house_rate,1",
        "30201,vacant_house_rate,1",
        "302023,happiness_index,1",
        "302031,vacant_house_rate,lots",
        "302082,vacant_house_rate,140",
        "302015,vacant_house_rate,13.9",
    ]
    if retired:
        lines.append(f"{retired},vacant_house_rate,1")
    problems = _refused("\n".join(lines).encode())
    expected = [
        "3行目・municipality_code列：「999999」という団体コードはありません。",
        "4行目・municipality_code列：「30201」という団体コードはありません"
        "（検査数字を含む6桁の団体コードを使ってください）。",
        "5行目・kpi_code列：「happiness_index」という指標コードはありません。",
        "6行目・value列：「lots」は数値ではありません。",
        "7行目・value列：140 は vacant_house_rate のありうる範囲 0〜100 の外です。",
        "8行目・kpi_code列：2行目と同じ団体・指標です（302015、vacant_house_rate）。",
    ]
    english = [
        "Row 3, column municipality_code: Unknown municipality code '999999'.",
        "Row 4, column municipality_code: Unknown municipality code '30201'"
        " (use the 6-digit code with its check digit).",
        "Row 5, column kpi_code: Unknown KPI 'happiness_index'.",
        "Row 6, column value: 'lots' is not a number.",
        "Row 7, column value: 140 is outside the plausible range 0–100 of vacant_house_rate.",
        "Row 8, column kpi_code: Duplicate of row 2 (302015, vacant_house_rate).",
    ]
    if retired:
        expected.append(f"9行目・municipality_code列：{retired} は廃止された団体です。")
        english.append(f"Row 9, column municipality_code: {retired} is an abolished municipality.")
    assert [str(p) for p in problems] == expected
    with translation.override("en"):
        assert [str(p) for p in problems] == english


def test_missing_columns_and_unreadable_files() -> None:
    assert _problems(b"code,value\n302015,1\n") == [
        "1行目・municipality_code列：必要な列がありません。",
        "1行目・kpi_code列：必要な列がありません。",
    ]
    undecodable = _refused(b"\xff\xfe\x00\x81\x00")
    assert [str(p) for p in undecodable] == [
        "ファイル：kpi.csv：文字コードが UTF-8 でも Shift_JIS（CP932）でもありません"
        "（位置 3 のバイトを読めません）。"
    ]
    with translation.override("en"):
        assert [str(p) for p in undecodable] == [
            "File: kpi.csv: the file is neither UTF-8 nor Shift_JIS (CP932) "
            "(undecodable byte at offset 3)."
        ]
    assert _problems(b"PK\x03\x04broken", name="kpi.xlsx")[0].startswith(
        "ファイル：読み取れる .xlsx ファイルではありません（"
    )


def test_a_later_file_replaces_values_and_keeps_its_own_provenance() -> None:
    first = kpi_values_import(fiscal_year=2026, file_name="a.csv", data=GOOD.encode())
    second = kpi_values_import(
        fiscal_year=2026,
        file_name="b.csv",
        data=b"municipality_code,kpi_code,value\n302015,vacant_house_rate,14.0\n",
    )
    values = {
        (v.municipality_id, v.kpi_code): (v.value, v.source_import_id)
        for v in KpiValue.objects.all()
    }
    assert values[("302015", "vacant_house_rate")] == (14.0, second.pk)
    assert values[("302023", "vacant_house_rate")] == (17.1, first.pk)


def test_the_command_reports_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("municipality_code,kpi_code,value\n302015,nope,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_kpi_values", "--fiscal-year", "2026", str(path), stdout=io.StringIO())
    assert str(refused.value) == (
        "1件の問題があるため、何も取り込んでいません。\n"
        "2行目・kpi_code列：「nope」という指標コードはありません。"
    )
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_kpi_values", "--fiscal-year", "2026", str(path), stdout=io.StringIO())
    assert str(refused.value) == (
        "Nothing was imported because of 1 problem(s).\nRow 2, column kpi_code: Unknown KPI 'nope'."
    )
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_kpi_values", "--fiscal-year", "2026", str(good), stdout=out, stderr=err)
    assert out.getvalue().startswith("imported=3 file=good.csv format=utf-8")
    assert err.getvalue() == "0/3行を確認しました\n"


def test_the_shipped_public_kpi_file_is_current_and_imports_cleanly(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[1] / "data" / "kpi_values_public.csv"
    derived = tmp_path / "kpi.csv"
    call_command("derive_public_kpis", "--output", str(derived), stdout=io.StringIO())
    assert shipped.read_bytes() == derived.read_bytes()
    ward_parent = dict(
        Municipality.objects.filter(parent__isnull=False).values_list("code", "parent_id")
    )
    rows = list(public_kpi_rows(DATA_DIR, ward_parent=ward_parent))
    batch = kpi_values_import(fiscal_year=2026, file_name=shipped.name, data=shipped.read_bytes())
    assert batch.row_count == len(rows)
    wakayama = dict(
        KpiValue.objects.filter(municipality_id="302015").values_list("kpi_code", "value")
    )
    assert wakayama["elderly_share"] == pytest.approx(30.8217)  # 令和2年国勢調査 A1303/A1101
    assert wakayama["population_density"] == pytest.approx(1708.1)
    osaka = dict(KpiValue.objects.filter(municipality_id="271004").values_list("kpi_code", "value"))
    assert "taxable_income_per_taxpayer" not in osaka  # cannot be aggregated from the wards
    assert 20 < osaka["elderly_share"] < 30
