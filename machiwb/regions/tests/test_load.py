import csv
import shutil
from pathlib import Path

import pytest

from machiwb.regions.models import Municipality, MunicipalityKind, Prefecture, RegionDataLoad
from machiwb.regions.services import regions_load
from machiwb.regions.sources import DATA_DIR, SourceError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_regions() -> None:
    """Start from empty tables (the session may have loaded the real data already)."""
    Municipality.objects.filter(parent__isnull=False).delete()
    Municipality.objects.all().delete()
    Prefecture.objects.all().delete()
    RegionDataLoad.objects.all().delete()


def _count_rows(name: str, **where: str) -> int:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return sum(
            1 for row in csv.DictReader(handle) if all(row[k] == v for k, v in where.items())
        )


def test_counts_equal_the_data_files() -> None:
    regions_load()
    assert Prefecture.objects.count() == 47 == _count_rows("prefectures.csv")
    for kind in MunicipalityKind.values:
        assert Municipality.objects.filter(kind=kind).count() == _count_rows(
            "municipalities.csv", type=kind
        ), kind
    assert Municipality.objects.count() == 1918
    # the 1,741 市区町村 (wards and Northern-Territories villages excluded)
    assert (
        Municipality.objects.exclude(kind=MunicipalityKind.DESIGNATED_WARD)
        .filter(is_northern_territories=False)
        .count()
        == 1741
    )


def test_second_load_changes_nothing() -> None:
    first = regions_load()
    stamp = Municipality.objects.get(code="011002").updated_at
    second = regions_load()
    assert first.created == 1965
    assert (second.created, second.updated, second.retired) == (0, 0, 0)
    assert second.unchanged == 1965
    assert Municipality.objects.get(code="011002").updated_at == stamp
    assert RegionDataLoad.objects.count() == 1  # an unchanged load leaves no record


def test_ward_belongs_to_city_and_city_to_prefecture() -> None:
    regions_load()
    ward = Municipality.objects.get(code="011011")  # 札幌市中央区
    assert ward.kind == MunicipalityKind.DESIGNATED_WARD
    assert ward.parent is not None
    assert ward.parent.code == "011002"
    assert ward.parent.prefecture.name == "北海道"
    assert ward.prefecture.code == "010006"
    assert Municipality.objects.get(code="011002").wards.count() == 10
    assert Municipality.objects.get(code="131016").parent is None  # 特別区 have no parent


def test_designated_city_population_is_the_sum_of_its_wards() -> None:
    regions_load()
    sapporo = Municipality.objects.get(code="011002")
    wards = sum(w.population_census2020 or 0 for w in sapporo.wards.all())
    assert sapporo.population_census2020 == wards == 1_973_395


def test_kana_is_full_width_and_searchable_in_hiragana() -> None:
    regions_load()
    sapporo = Municipality.objects.get(code="011002")
    assert sapporo.name_kana == "サッポロシ"
    assert sapporo.name_hiragana == "さっぽろし"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        rows = [change(row) for row in reader]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in rows if row is not None)


def test_changed_source_updates_rows_and_keeps_references(data_copy: Path) -> None:
    regions_load(data_dir=data_copy)

    def rename(row: dict[str, str]) -> dict[str, str]:
        if row["lg_code"] == "302015":
            row["website"] = "https://www.city.wakayama.wakayama.jp/new/"
        return row

    _rewrite(data_copy / "municipalities.csv", rename)
    report = regions_load(data_dir=data_copy)
    assert (report.created, report.updated, report.retired) == (0, 1, 0)
    wakayama = Municipality.objects.get(code="302015")
    assert wakayama.website == "https://www.city.wakayama.wakayama.jp/new/"
    assert RegionDataLoad.objects.count() == 2


def test_municipality_missing_from_a_newer_list_is_retired_not_deleted(data_copy: Path) -> None:
    regions_load(data_dir=data_copy)
    _rewrite(
        data_copy / "municipalities.csv",
        lambda row: None if row["lg_code"] == "302023" else row,
    )
    report = regions_load(data_dir=data_copy)
    assert report.retired == 1
    kainan = Municipality.objects.get(code="302023")
    assert kainan.valid_to is not None
    assert not kainan.is_current
    # back in a later list: valid again
    shutil.copy(DATA_DIR / "municipalities.csv", data_copy / "municipalities.csv")
    regions_load(data_dir=data_copy)
    kainan.refresh_from_db()
    assert kainan.valid_to is None


def test_bad_check_digit_in_source_is_refused_with_line_number(data_copy: Path) -> None:
    _rewrite(
        data_copy / "municipalities.csv",
        lambda row: {**row, "lg_code": "302016"} if row["lg_code"] == "302015" else row,
    )
    with pytest.raises(SourceError, match=r"municipalities.csv line \d+: lg_code '302016'"):
        regions_load(data_dir=data_copy)
    assert Municipality.objects.count() == 0  # nothing half-written
