"""Reading the shipped master-data files (machiwb/regions/data, see PROVENANCE.md)."""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from machiwb.regions.codes import check_digit, is_valid_lg_code

DATA_DIR = Path(__file__).resolve().parent / "data"

#: The date the official code list describes (総務省, 令和6年1月1日現在).
CODE_LIST_AS_OF = date(2024, 1, 1)

FILES = {
    "prefectures": "prefectures.csv",
    "municipalities": "municipalities.csv",
    "census2020": "municipal_census2020_features.csv",
    "census2025": "population_census2025_preliminary.csv",
    "resident": "population_jumin_20250101.csv",
    "area": "area_gsi_20260101.csv",
}


class SourceError(ValueError):
    """A master-data file does not have the shape machiwb expects."""


def to_fullwidth_katakana(text: str) -> str:
    """Half-width kana as 総務省 publishes it → full-width (ﾎｯｶｲﾄﾞｳ → ホッカイドウ)."""
    return unicodedata.normalize("NFKC", text)


def katakana_to_hiragana(text: str) -> str:
    """Full-width katakana → hiragana, for search by reading (ホッカイドウ → ほっかいどう)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def prefecture_code(pref_code: str) -> str:
    """The prefecture's 6-digit 団体コード from its 2-digit number ("01" → "010006")."""
    code5 = f"{pref_code}000"
    return f"{code5}{check_digit(code5)}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_rows(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) pairs, failing with the file and column on a bad header."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise SourceError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        yield from enumerate(reader, start=2)


def checked_code(path: Path, line: int, value: str) -> str:
    if not is_valid_lg_code(value):
        raise SourceError(f"{path.name} line {line}: lg_code {value!r} fails the check digit")
    return value


@dataclass(frozen=True)
class PrefectureRow:
    code: str
    pref_code: str
    name: str
    name_kana: str
    name_hiragana: str
    name_en: str
    website: str


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    code5: str
    prefecture_id: str
    parent_id: str | None
    kind: str
    name: str
    name_kana: str
    name_hiragana: str
    county: str
    designation: str
    is_northern_territories: bool
    website: str
    population_census2020: int | None
    population_census2025: int | None
    population_resident: int | None
    households_resident: int | None
    area_km2: Decimal | None


def read_prefectures(data_dir: Path) -> list[PrefectureRow]:
    path = data_dir / FILES["prefectures"]
    rows = []
    for line, row in read_rows(path, {"pref_code", "lg_code", "name", "name_kana", "name_en"}):
        kana = to_fullwidth_katakana(row["name_kana"])
        rows.append(
            PrefectureRow(
                code=checked_code(path, line, row["lg_code"]),
                pref_code=row["pref_code"],
                name=row["name"],
                name_kana=kana,
                name_hiragana=katakana_to_hiragana(kana),
                name_en=row["name_en"],
                website=row.get("website", ""),
            )
        )
    return rows


def _int_by_code(path: Path, column: str) -> dict[str, int]:
    values: dict[str, int] = {}
    for _line, row in read_rows(path, {"lg_code", column}):
        raw = row[column].strip()
        if raw:
            values[row["lg_code"]] = round(float(raw))
    return values


def read_municipalities(data_dir: Path) -> list[MunicipalityRow]:
    """All 市区町村 and wards of the code list, joined with population and area."""
    census2020 = _int_by_code(data_dir / FILES["census2020"], "pop_total")
    census2025 = _int_by_code(data_dir / FILES["census2025"], "totalpop")
    resident = _int_by_code(data_dir / FILES["resident"], "totalpop")
    households = _int_by_code(data_dir / FILES["resident"], "setai")
    area: dict[str, Decimal] = {}
    for _line, row in read_rows(data_dir / FILES["area"], {"lg_code", "area_km2"}):
        if row["area_km2"].strip():
            area[row["lg_code"]] = Decimal(row["area_km2"])

    path = data_dir / FILES["municipalities"]
    required = {"lg_code", "code5", "pref_code", "name", "name_kana", "type", "parent_lg_code"}
    raw_rows = [
        (line, row) for line, row in read_rows(path, required) if row["type"] != "prefecture"
    ]

    # The census features file has wards but no designated-city totals: sum the wards.
    ward_sums: dict[str, int] = {}
    for _line, row in raw_rows:
        if row["type"] == "designated_ward" and row["lg_code"] in census2020:
            parent = row["parent_lg_code"]
            ward_sums[parent] = ward_sums.get(parent, 0) + census2020[row["lg_code"]]

    result = []
    for line, row in raw_rows:
        code = checked_code(path, line, row["lg_code"])
        kana = to_fullwidth_katakana(row["name_kana"])
        pop2020 = census2020.get(code)
        if row["type"] == "designated_city":
            pop2020 = ward_sums.get(code)
        result.append(
            MunicipalityRow(
                code=code,
                code5=row["code5"],
                prefecture_id=prefecture_code(row["pref_code"]),
                parent_id=row["parent_lg_code"] or None,
                kind=row["type"],
                name=row["name"],
                name_kana=kana,
                name_hiragana=katakana_to_hiragana(kana),
                county=row.get("gun_or_subprefecture", ""),
                designation=row.get("designation_2022", ""),
                is_northern_territories=row.get("northern_territories") == "1",
                website=row.get("website", ""),
                population_census2020=pop2020,
                population_census2025=census2025.get(code),
                population_resident=resident.get(code),
                households_resident=households.get(code),
                area_km2=area.get(code),
            )
        )
    return result
