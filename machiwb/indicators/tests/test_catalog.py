"""The shipped catalog files, their validation, and ``load_catalog``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from machiwb.audit.models import AuditEntry
from machiwb.indicators.catalog import (
    CatalogError,
    catalog_parse,
    catalog_read,
    shipped_catalog_paths,
)
from machiwb.indicators.models import CatalogVersion, Category, Kpi, SurveyItem
from machiwb.indicators.selectors import catalog_for_fiscal_year
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, ITEMS_PER_CATEGORY

FY2023 = next(p for p in shipped_catalog_paths() if p.name == "fy2023.json")


def _fy2023() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FY2023.read_text(encoding="utf-8"))
    return data


def _problems(data: dict[str, Any]) -> list[str]:
    """The problems as an English reader sees them."""
    with pytest.raises(CatalogError) as exc:
        catalog_parse(json.dumps(data, ensure_ascii=False), source="test.json")
    with translation.override("en"):
        return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("path", shipped_catalog_paths(), ids=lambda p: p.name)
def test_shipped_catalogs_are_valid_and_match_the_standard_columns(path: Path) -> None:
    catalog = catalog_read(path)
    assert [c.code for c in catalog.categories] == [f"c{n:02d}" for n in range(1, 25)]
    assert tuple(i.code for i in catalog.items) == CATEGORY_ITEM_COLUMNS
    per_category = [
        sum(1 for i in catalog.items if i.category == c.code) for c in catalog.categories
    ]
    assert tuple(per_category) == ITEMS_PER_CATEGORY
    assert [q.code for q in catalog.overall_questions] == ["q1", "q2", "q3", "q4", "q5"]
    q3 = next(q for q in catalog.overall_questions if q.code == "q3")
    assert (q3.scale_min, q3.scale_max) == (1, 5)
    assert [g.name_ja for g in catalog.factor_groups] == [
        "生活環境",
        "地域の人間関係",
        "自分らしい生き方",
    ]


def test_fy2023_marks_the_noise_item_reverse_and_unknown_wordings_provisional() -> None:
    catalog = catalog_read(FY2023)
    items = {i.code: i for i in catalog.items}
    assert [code for code, i in items.items() if i.reverse] == ["c03_2"]
    assert items["c01_1"].provisional is False  # wording known from public sources
    assert items["c01_2"].provisional is True
    kpis = {k.code: k for k in catalog.kpis}
    assert kpis["vacant_house_rate"].direction == -1
    assert kpis["taxable_income_per_taxpayer"].direction == 1
    assert kpis["elderly_share"].category == ""
    assert kpis["elderly_share"].direction == 0


def test_every_problem_is_reported_with_its_path() -> None:
    data = _fy2023()
    data["categories"][0]["group"] = "nowhere"
    data["items"][5]["reverse"] = "yes"
    data["items"][6]["code"] = "c99_1"
    data["kpis"][0]["direction"] = "up"
    data["kpis"][1]["plausible_max"] = -1
    del data["categories"][1]["name_en"]
    problems = _problems(data)
    assert "$.categories[0].group: unknown factor group 'nowhere'" in problems
    assert "$.items[5].reverse: expected true or false, got 'yes'" in problems
    assert "$.items[6].code: 'c99_1' is not a standard survey column" in problems
    assert "$.kpis[0].direction: expected '+' or '-', got 'up'" in problems
    assert "$.kpis[1]: plausible_max must be greater than plausible_min" in problems
    assert "$.categories[1].name_en: missing" in problems
    assert "$.items: missing standard items c03_2, c03_3" in problems


def test_duplicates_wrong_schema_and_broken_json_are_refused() -> None:
    data = _fy2023()
    data["schema"] = "other/9"
    data["kpis"].append(dict(data["kpis"][0]))
    problems = _problems(data)
    assert "$.schema: expected 'machiwb.indicator-catalog/1', got 'other/9'" in problems
    assert f"$.kpis: code {data['kpis'][0]['code']!r} appears more than once" in problems
    with pytest.raises(CatalogError, match="1行2列目"), translation.override("ja"):
        catalog_parse("{oops", source="broken.json")


@pytest.mark.django_db
def test_load_catalog_is_idempotent_and_audited() -> None:
    call_command("load_catalog", stdout=io.StringIO())
    counts = (CatalogVersion.objects.count(), SurveyItem.objects.count(), Kpi.objects.count())
    assert counts[0] == 2
    assert counts[1] == 92
    assert Category.objects.filter(catalog__code="fy2023").count() == 24
    entries = AuditEntry.objects.filter(action="indicators.catalog_load").count()
    out = io.StringIO()
    call_command("load_catalog", stdout=out)
    assert "fy2023: unchanged" in out.getvalue()
    assert (CatalogVersion.objects.count(), SurveyItem.objects.count(), Kpi.objects.count()) == (
        counts
    )
    assert AuditEntry.objects.filter(action="indicators.catalog_load").count() == entries


@pytest.mark.django_db
def test_a_changed_file_replaces_the_version(tmp_path: Path) -> None:
    call_command("load_catalog", stdout=io.StringIO())
    data = _fy2023()
    data["items"][0]["text_en"] = "Hospitals and clinics are close at hand."
    path = tmp_path / "fy2023-official.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_catalog", str(path), stdout=io.StringIO())
    item = SurveyItem.objects.get(catalog__code="fy2023", code="c01_1")
    assert item.text_en == "Hospitals and clinics are close at hand."
    assert SurveyItem.objects.filter(catalog__code="fy2023").count() == 46


@pytest.mark.django_db
def test_an_invalid_file_stops_the_command_and_loads_nothing(tmp_path: Path) -> None:
    data = _fy2023()
    data["version"] = "fy2030"
    data["items"][0]["category"] = "c02"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"\$\.items\[0\]\.category：設問 c01_1 は c01 に属します"
    ):
        call_command("load_catalog", str(path), stdout=io.StringIO())
    assert not CatalogVersion.objects.filter(code="fy2030").exists()


@pytest.mark.django_db
def test_catalog_for_fiscal_year_picks_the_instrument_in_force() -> None:
    call_command("load_catalog", stdout=io.StringIO())
    assert catalog_for_fiscal_year(2021) is None
    assert catalog_for_fiscal_year(2022).code == "fy2022"  # type: ignore[union-attr]
    assert catalog_for_fiscal_year(2023).code == "fy2023"  # type: ignore[union-attr]
    assert catalog_for_fiscal_year(2026).code == "fy2023"  # type: ignore[union-attr]


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("path", shipped_catalog_paths(), ids=lambda p: p.name)
def test_every_shipped_kpi_has_an_english_unit_and_english_sources_have_no_japanese(
    path: Path,
) -> None:
    kpis = catalog_read(path).kpis
    assert len(kpis) == 45
    for kpi in kpis:
        assert kpi.unit_en, kpi.code
        assert not JAPANESE.search(kpi.unit_en), kpi.code
        assert not JAPANESE.search(kpi.source_en), kpi.code
        assert bool(kpi.vintage_en) == bool(kpi.vintage), kpi.code
        assert not JAPANESE.search(kpi.vintage_en), kpi.code
    by_code = {k.code: k for k in kpis}
    assert by_code["taxable_income_per_taxpayer"].vintage_en == "2024 edition"
    assert by_code["nhi_medical_cost_per_capita"].unit_en == "thousand yen/person"
    assert by_code["population_density"].source_en.startswith("2020 Population Census (")


def test_unit_en_and_source_en_are_optional_but_not_empty_or_other_types() -> None:
    data = _fy2023()
    data["kpis"][0]["unit_en"] = " "
    data["kpis"][1]["unit_en"] = 3
    data["kpis"][2]["source_en"] = ""
    data["context_statistics"][0]["unit_en"] = ["%"]
    data["context_statistics"][1]["vintage_en"] = ""
    problems = _problems(data)
    assert "$.kpis[0].unit_en: must not be empty" in problems
    assert "$.kpis[1].unit_en: expected a string, got 3" in problems
    assert "$.kpis[2].source_en: must not be empty" in problems
    assert "$.context_statistics[0].unit_en: expected a string, got ['%']" in problems
    assert "$.context_statistics[1].vintage_en: must not be empty" in problems
    data = _fy2023()
    for kpi in data["kpis"]:
        for key in ("unit_en", "source_en", "vintage_en"):
            kpi.pop(key, None)
    catalog = catalog_parse(json.dumps(data, ensure_ascii=False), source="operator.json")
    assert {(k.unit_en, k.source_en, k.vintage_en) for k in catalog.kpis if k.category} == {
        ("", "", "")
    }


@pytest.mark.django_db
def test_loaded_kpis_keep_both_units_and_sources() -> None:
    call_command("load_catalog", stdout=io.StringIO())
    kpi = Kpi.objects.get(catalog__code="fy2022", code="vacant_house_rate")
    assert (kpi.unit, kpi.unit_en) == ("%", "%")
    assert kpi.source == "住宅・土地統計調査（総務省統計局）"
    assert kpi.source_en == (
        "Housing and Land Survey (Statistics Bureau, Ministry of Internal Affairs and"
        " Communications)"
    )
    assert not Kpi.objects.filter(unit_en="").exists()
