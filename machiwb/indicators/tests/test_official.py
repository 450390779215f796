"""Importing the official dashboard exports and reading them through the selectors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from machiwb.audit.models import AuditEntry
from machiwb.indicators.models import ScoreCell, ScoreRun
from machiwb.indicators.selectors import (
    score_available,
    score_explain,
    score_municipality,
    score_run_current,
)
from machiwb.indicators.services import OfficialImportError, official_results_import

OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "official"
pytestmark = pytest.mark.usefixtures("regions_loaded", "catalog_loaded")


def _files(pattern: str = "*.csv") -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(OFFICIAL.glob(pattern))]


def test_the_real_files_import_cleanly_with_no_mismatches() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_official_results", *sorted(OFFICIAL.glob("*.csv")), stdout=out, stderr=err)
    assert out.getvalue().splitlines()[-1] == "imported=12 mismatches=0"
    assert err.getvalue().splitlines() == [f"{n}/12個のファイルを読みました" for n in range(12)]
    run = score_run_current(fiscal_year=2026, survey_type="national")
    assert run is not None
    assert run.origin == "official"
    assert run.municipality_count == 4
    assert AuditEntry.objects.filter(action="indicators.official_import").count() == 1


def test_published_values_are_returned_by_the_selectors() -> None:
    official_results_import(files=_files())
    run = score_run_current(fiscal_year=2026, survey_type="national")
    assert run is not None
    scores = score_municipality(run=run, municipality_code="302015")
    assert scores.municipality_name == "和歌山市"
    assert scores.has_results
    assert scores.n is None  # the export does not publish n
    medical = scores.categories[0]
    assert (medical.code, medical.name_ja, medical.group_name_ja) == (
        "c01",
        "医療・福祉",
        "生活環境",
    )
    assert (medical.subjective_value, medical.subjective_score, medical.objective_score) == (
        3.4,
        51.2,
        48.0,
    )
    assert [c.code for c in scores.categories] == [f"c{n:02d}" for n in range(1, 25)]
    q1 = scores.overall[0]
    assert q1.code == "q1"
    assert q1.distribution[-1] == (10, 6.1)
    assert q1.distribution[0] == (0, 2.8)
    q3 = next(q for q in scores.overall if q.code == "q3")
    assert [a for a, _ in q3.distribution] == [1, 2, 3, 4, 5]
    assert score_available(municipality_code="302015") == [(2026, "national")]
    assert score_available(municipality_code="011002") == []


def test_explanation_lists_the_published_items() -> None:
    official_results_import(files=_files())
    run = score_run_current(fiscal_year=2026, survey_type="national")
    assert run is not None
    explanation = score_explain(run=run, municipality_code="302015", category_code="c01")
    assert [(i.code, i.value, i.score) for i in explanation.items] == [
        ("c01_1", 3.5, 51.6),
        ("c01_2", 3.3, 50.8),
    ]
    assert "公表値" in explanation.method_ja
    assert explanation.kpis[0].code == "medical_facility_walk_coverage"


def test_display_scores_are_clipped_but_raw_values_kept() -> None:
    official_results_import(files=_files())
    run = score_run_current(fiscal_year=2026, survey_type="national")
    assert run is not None
    cell = ScoreCell.objects.get(run=run, municipality_id="302015", breakdown="all")
    cell.categories[1][4] = 91.5  # 遊び・娯楽 (c05), 主観偏差値
    cell.save()
    leisure = score_municipality(run=run, municipality_code="302015").categories[4]
    assert (leisure.subjective_score, leisure.subjective_score_raw) == (80.0, 91.5)


def test_a_new_import_of_one_city_carries_the_others_forward() -> None:
    official_results_import(files=_files())
    first = score_run_current(fiscal_year=2026, survey_type="national")
    official_results_import(files=_files("wb2026_302015_*"))
    second = score_run_current(fiscal_year=2026, survey_type="national")
    assert first is not None
    assert second is not None
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.is_current is False
    assert second.municipality_count == 4
    assert second.inputs["carried_forward"] == ["302023", "302031", "302082"]


def test_a_category_that_disagrees_with_its_items_is_reported() -> None:
    name, data = _files("wb2026_302023_*subjective*")[0]
    text = data.decode("utf-8").replace(
        "主観データ,生活環境,医療・福祉,3.0,", "主観データ,生活環境,医療・福祉,3.6,"
    )
    report = official_results_import(files=[(name, text.encode("utf-8"))])
    assert [(m.category, m.measure, m.published) for m in report.mismatches] == [
        ("c01", "実数", 3.6)
    ]


def test_cp932_and_bom_files_are_read() -> None:
    files = _files("wb2026_302031_*")
    converted = [
        (files[0][0], files[0][1].decode("utf-8").encode("cp932")),
        (files[1][0], b"\xef\xbb\xbf" + files[1][1]),
        files[2],
    ]
    report = official_results_import(files=converted)
    assert report.files == 3
    assert report.municipalities == ("302031",)
    encodings = [f["encoding"] for f in report.runs[0].inputs["files"]]
    assert encodings == ["cp932", "utf-8-sig", "utf-8"]


def test_bad_rows_are_all_reported_and_nothing_is_imported() -> None:
    name, data = _files("wb2026_302082_*subjective*")[0]
    lines = data.decode("utf-8").splitlines()
    lines[1] = lines[1].replace("医療機関が充実", "病院が多い")
    lines[3] = lines[3].replace(",3.", ",x3.")
    lines[5] = lines[5].replace("和歌山県 紀の川市", "和歌山県 架空市")
    with pytest.raises(OfficialImportError) as exc:
        official_results_import(files=[(name, "\n".join(lines).encode("utf-8"))])
    problems = [str(p) for p in exc.value.problems]
    assert (
        f"{name}：2行目・カテゴリ・評価指標列：「病院が多い」はカタログにない評価指標・カテゴリーです。"
        in problems
    )
    assert any(p.startswith(f"{name}：4行目・実数列：「x3.") for p in problems)
    assert "地域「和歌山県 架空市」：この名前の現在の市区町村がありません。" in problems
    assert ScoreRun.objects.count() == 0
    assert ScoreCell.objects.count() == 0


def test_the_command_refuses_a_file_of_another_layout(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_official_results", str(path), stdout=io.StringIO())
    assert str(refused.value) == (
        "1件の問題があるため、何も取り込んでいません。\n"
        "other.csv：1行目：見出し行が公表結果の3種類の形式のどれでもありません：a,b"
    )
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_official_results", str(path), stdout=io.StringIO())
    assert str(refused.value) == (
        "Nothing was imported because of 1 problem(s).\n"
        "other.csv: Row 1: The header is none of the three official export layouts: a,b"
    )
    assert ScoreRun.objects.count() == 0
