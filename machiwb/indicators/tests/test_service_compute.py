"""indicators_compute: from stored responses and KPI values to a current score run."""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import random
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command
from django.test import override_settings

from machiwb.audit.models import AuditEntry
from machiwb.indicators.compute import Parameters
from machiwb.indicators.models import KpiImport, KpiValue, ScoreCell, ScoreRun
from machiwb.indicators.selectors import score_explain, score_municipality, score_run_current
from machiwb.indicators.services import indicators_compute, official_results_import
from machiwb.jobs.models import Job, JobStatus
from machiwb.jobs.services import job_enqueue
from machiwb.surveys.models import Response, Survey, SurveyVersion
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

pytestmark = pytest.mark.usefixtures("regions_loaded", "catalog_loaded")

WAKAYAMA, KAINAN, HASHIMOTO = "302015", "302023", "302031"


def _responses(
    municipality: str,
    answers: list[int],
    *,
    age: int = 3,
    gender: int = 1,
    skip: tuple[str, ...] = (),
) -> None:
    survey, _ = Survey.objects.get_or_create(
        survey_type="national",
        fiscal_year=2026,
        defaults={"catalog_version": "fy2023", "title": "全国調査 2026"},
    )
    version, _ = SurveyVersion.objects.get_or_create(
        survey=survey, number=1, defaults={"definition": {}}
    )
    for value in answers:
        Response.objects.create(
            survey_version=version,
            municipality_id=municipality,
            answered_on=datetime.date(2026, 6, 1),
            age_band=age,
            gender=gender,
            q1=value * 2,
            q3=value,
            **{c: None if c in skip else value for c in CATEGORY_ITEM_COLUMNS},
        )


def _kpis() -> None:
    batch = KpiImport.objects.create(
        fiscal_year=2026, file_name="kpi.csv", sha256="ab" * 32, file_format="utf-8", row_count=3
    )
    for code, value in ((WAKAYAMA, 1.0), (KAINAN, 2.0), (HASHIMOTO, 3.0)):
        KpiValue.objects.create(
            fiscal_year=2026,
            kpi_code="vacant_house_rate",
            municipality_id=code,
            value=value,
            source_import=batch,
        )


PARAMS = Parameters(
    subjective_min_population=1, subjective_min_responses=5, objective_min_population=1
)


def test_compute_writes_a_current_run_with_scores_and_an_audit_entry() -> None:
    _responses(WAKAYAMA, [4] * 12)
    _responses(KAINAN, [2] * 12)
    _responses(HASHIMOTO, [5, 5, 5], gender=2)  # too few responses for the reference set
    _kpis()
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    assert score_run_current(fiscal_year=2026, survey_type="national") == run
    assert run.response_count == 27
    assert run.reference["subjective_members"] == 2
    assert AuditEntry.objects.filter(action="indicators.compute").count() == 1

    wakayama = score_municipality(run=run, municipality_code=WAKAYAMA)
    medical = wakayama.categories[0]
    # reference values 4 and 2 → mean 3, SD 1
    assert (medical.subjective_value, medical.subjective_score) == (4.0, 60.0)
    assert wakayama.n == 12
    housing = wakayama.categories[2]
    assert housing.subjective_value == pytest.approx(10 / 3, abs=1e-4)  # c03_2 reversed: (4+2+4)/3
    # 空家率 is lower-is-better: 1.0 against mean 2, SD 0.8165
    assert housing.objective_score_raw == pytest.approx(50 + 10 / (2 / 3) ** 0.5, abs=1e-4)
    assert (housing.kpis_with_data, housing.kpis_total) == (1, 4)
    q1 = wakayama.overall[0]
    assert (q1.mean, q1.n, dict(q1.distribution)[8]) == (8.0, 12, 100.0)

    hashimoto = score_municipality(run=run, municipality_code=HASHIMOTO)
    assert hashimoto.suppressed  # 3 respondents < 10
    assert hashimoto.n is None
    assert hashimoto.categories[0].subjective_score is None
    assert hashimoto.categories[2].objective_score is not None  # statistics are not suppressed


def test_an_item_nobody_answered_has_no_value_in_that_cell() -> None:
    _responses(WAKAYAMA, [4] * 12)
    _responses(WAKAYAMA, [2] * 12, age=5, skip=("c05_1",))
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    age5 = score_municipality(run=run, municipality_code=WAKAYAMA, breakdown="age5")
    assert age5.categories[4].subjective_value is None  # 遊び・娯楽 has the one item c05_1
    assert age5.categories[3].subjective_value == 2.0
    everyone = score_municipality(run=run, municipality_code=WAKAYAMA)
    assert everyone.categories[4].subjective_value == 4.0
    assert everyone.categories[4].n == 12


def test_small_breakdown_cells_and_profile_are_suppressed() -> None:
    _responses(WAKAYAMA, [4] * 12, age=3, gender=1)
    _responses(WAKAYAMA, [3] * 4, age=4, gender=2)
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    hidden = score_municipality(run=run, municipality_code=WAKAYAMA, breakdown="age4")
    assert hidden.suppressed
    assert hidden.categories[0].subjective_value is None
    assert all(q.mean is None and q.distribution == () for q in hidden.overall)
    # Shown, the 12 would give the 4 away (n = 16): it is hidden too, in the profile and as a
    # breakdown.
    protecting = score_municipality(run=run, municipality_code=WAKAYAMA, breakdown="age3_gender1")
    assert protecting.suppressed
    assert protecting.n is None
    assert protecting.categories[0].subjective_value is None
    everyone = score_municipality(run=run, municipality_code=WAKAYAMA)
    assert everyone.n == 16
    profile = {(c.age_band, c.gender): c for c in everyone.profile}
    assert len(profile) == 32
    assert all(c.n is None and c.suppressed for c in profile.values())
    with override_settings(MACHIWB={"MIN_PUBLIC_CELL_N": 3}):
        assert score_municipality(run=run, municipality_code=WAKAYAMA, breakdown="age4").n == 4
        shown = score_municipality(run=run, municipality_code=WAKAYAMA, breakdown="age3_gender1")
        assert shown.n == 12
        assert shown.categories[0].subjective_value == 4.0


def test_profile_hides_the_cells_that_would_give_a_small_one_away() -> None:
    _responses(WAKAYAMA, [4] * 12, age=3, gender=1)
    _responses(WAKAYAMA, [4] * 15, age=3, gender=2)
    _responses(WAKAYAMA, [4] * 13, age=4, gender=1)
    _responses(WAKAYAMA, [3] * 4, age=4, gender=2)
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    profile = {
        (c.age_band, c.gender): c.n
        for c in score_municipality(run=run, municipality_code=WAKAYAMA).profile
    }
    # Any one of the four cells gives the others away through the 年代 and 性別 totals.
    assert [profile[(3, 1)], profile[(3, 2)], profile[(4, 1)], profile[(4, 2)]] == [None] * 4
    assert all(n is None for n in profile.values())  # the empty cells stay hidden
    margins = {
        b: score_municipality(run=run, municipality_code=WAKAYAMA, breakdown=b)
        for b in ("age3", "age4", "gender1", "gender2", "age3_gender2")
    }
    assert [margins[b].n for b in ("age3", "age4", "gender1", "gender2")] == [27, 17, 25, 19]
    assert margins["age3_gender2"].suppressed
    assert margins["age3_gender2"].n is None


def _cells(run: ScoreRun) -> list[tuple[object, ...]]:
    return list(
        ScoreCell.objects.filter(run=run)
        .order_by("municipality_id", "breakdown")
        .values_list("municipality_id", "breakdown", "n", "items", "categories", "kpis", "overall")
    )


def test_a_recompute_of_the_same_inputs_is_byte_identical_and_replaces_the_current_run() -> None:
    _responses(WAKAYAMA, [4, 3, 5, 1, 2, 4])
    _responses(KAINAN, [2, 2, 3, 4, 5, 1])
    _kpis()
    first = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    second = indicators_compute(
        fiscal_year=2026, survey_type="national", parameters=PARAMS, force=True
    )
    assert first.results_sha256 == second.results_sha256
    assert first.inputs_sha256 == second.inputs_sha256
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    assert _cells(first) == _cells(second)
    _responses(KAINAN, [5])
    third = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    assert third.inputs_sha256 != second.inputs_sha256


def test_explanation_names_items_kpis_reference_and_sources() -> None:
    _responses(WAKAYAMA, [4] * 12)
    _responses(KAINAN, [2] * 12)
    _kpis()
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    explanation = score_explain(run=run, municipality_code=WAKAYAMA, category_code="c03")
    noise = explanation.items[1]
    assert (noise.code, noise.reverse, noise.value, noise.n) == ("c03_2", True, 2.0, 12)
    assert (noise.reference_mean, noise.reference_sd, noise.reference_n) == (3.0, 1.0, 2)
    vacant = next(k for k in explanation.kpis if k.code == "vacant_house_rate")
    assert (vacant.value, vacant.direction, vacant.reference_n) == (1.0, -1, 3)
    assert vacant.provenance.startswith("kpi.csv (sha256 abababababab…")
    assert "基準集団" in explanation.method_ja


def test_the_command_prints_the_run() -> None:
    _responses(WAKAYAMA, [4] * 3)
    out = io.StringIO()
    call_command("compute_indicators", "--fiscal-year", "2026", stdout=out)
    assert "responses=3" in out.getvalue()
    assert ScoreRun.objects.filter(origin="computed").count() == 1


def test_nothing_is_ordered_by_score() -> None:
    _responses(WAKAYAMA, [1] * 6)
    _responses(KAINAN, [5] * 6)
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    codes = list(
        ScoreCell.objects.filter(run=run, breakdown="all")
        .order_by("pk")
        .values_list("municipality_id", flat=True)
    )
    assert codes == sorted(codes)  # stored in code order, whatever the scores
    assert list(itertools.islice(codes, 2)) == [WAKAYAMA, KAINAN]


def test_published_results_are_kept_for_municipalities_without_responses() -> None:
    official = Path(__file__).resolve().parents[1] / "data" / "official"
    official_results_import(files=[(p.name, p.read_bytes()) for p in sorted(official.glob("*"))])
    _responses(WAKAYAMA, [4] * 12)
    _kpis()
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    assert run.inputs["official_carried_forward"] == [KAINAN, HASHIMOTO, "302082"]
    kainan = score_municipality(run=run, municipality_code=KAINAN)
    assert kainan.origin == "official"
    assert kainan.categories[0].subjective_score == 35.0  # as published
    wakayama = score_municipality(run=run, municipality_code=WAKAYAMA)
    assert wakayama.origin == "computed"
    assert wakayama.n == 12
    again = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    assert again.pk == run.pk  # same inputs: the current run stands


def test_a_municipality_without_responses_has_objective_scores_and_is_not_suppressed() -> None:
    _responses(WAKAYAMA, [4] * 12)
    _kpis()
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    kainan = score_municipality(run=run, municipality_code=KAINAN)
    assert kainan.has_results
    assert (kainan.n, kainan.suppressed) == (0, False)
    assert kainan.categories[0].subjective_value is None
    assert kainan.categories[2].objective_score is not None


def test_an_individual_survey_is_scored_against_the_national_reference() -> None:
    _responses(WAKAYAMA, [4] * 12)
    _responses(KAINAN, [2] * 12)
    indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    survey = Survey.objects.create(
        survey_type="individual",
        municipality_id=HASHIMOTO,
        fiscal_year=2026,
        catalog_version="fy2023",
        title="橋本市 個別調査",
    )
    version = SurveyVersion.objects.create(survey=survey, number=1, definition={})
    for _ in range(12):
        Response.objects.create(
            survey_version=version,
            municipality_id=HASHIMOTO,
            answered_on=datetime.date(2026, 7, 1),
            **dict.fromkeys(CATEGORY_ITEM_COLUMNS, 5),
        )
    run = indicators_compute(fiscal_year=2026, survey_type="individual", parameters=PARAMS)
    assert run.inputs["item_reference_from"] == "national"
    medical = score_municipality(run=run, municipality_code=HASHIMOTO).categories[0]
    assert (medical.subjective_value, medical.subjective_score_raw) == (5.0, 70.0)


def test_the_recompute_job_reports_each_step_and_a_repeat_reuses_the_run() -> None:
    _responses(WAKAYAMA, [4] * 12)
    steps: list[tuple[int, int]] = []
    indicators_compute(
        fiscal_year=2026,
        survey_type="national",
        parameters=PARAMS,
        progress=lambda done, total: steps.append((done, total)),
    )
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]

    job = job_enqueue(
        kind="indicators.recompute",
        params={"fiscal_year": 2026, "survey_type": "national"},
        actor=None,
    )
    assert job.status == JobStatus.SUCCEEDED, job.message  # jobs run inside the call in tests
    assert (job.done, job.total) == (4, 4)
    assert "2026年度の指標を再計算しました（" in job.message
    assert Job.objects.count() == 1


#: The results of the fixture below as the engine has always stored them, on SQLite and on
#: PostgreSQL: the SHA-256 of the result lines (``results_sha256``) and of the stored rows.
#: A faster aggregation or write path must not change them.
FIXTURE_RESULTS_SHA256 = "3397f793b89509dac9b415b6eaab2727cb92a4bcaf1b3eb4c75648bb9fee04b3"
FIXTURE_ROWS_SHA256 = "33013e86b2db250c663ff74b34d84ca89a3cde446f4f1c7da3ddac47c7a5e7c9"


def test_the_stored_results_of_a_fixture_data_set_do_not_change() -> None:
    rng = random.Random(11)  # noqa: S311 - test data
    survey = Survey.objects.create(
        survey_type="national", fiscal_year=2026, catalog_version="fy2023", title="t"
    )
    versions = [
        SurveyVersion.objects.create(survey=survey, number=n, definition={}) for n in (1, 2)
    ]
    towns = [WAKAYAMA, KAINAN, HASHIMOTO, "011002", "011011", "131016"]
    Response.objects.bulk_create(
        Response(
            survey_version=rng.choice(versions),
            municipality_id=rng.choice(towns),
            answered_on=datetime.date(2026, 6, 1),
            age_band=rng.choice([None, 1, 2, 3, 5, 8]),
            gender=rng.choice([None, 1, 2, 2, 4]),
            q1=rng.choice([None, *range(11)]),
            q2=rng.choice(range(11)),
            q3=rng.choice(range(1, 6)),
            q4=rng.choice([None, *range(11)]),
            q5=rng.choice([None, None, *range(11)]),
            **{c: rng.choice([None, 1, 2, 3, 4, 4, 5]) for c in CATEGORY_ITEM_COLUMNS},
        )
        for _ in range(600)
    )
    _kpis()
    run = indicators_compute(fiscal_year=2026, survey_type="national", parameters=PARAMS)
    rows = orjson.dumps([list(row) for row in _cells(run)], option=orjson.OPT_SORT_KEYS)
    assert run.response_count == 600
    assert run.results_sha256 == FIXTURE_RESULTS_SHA256
    assert hashlib.sha256(rows).hexdigest() == FIXTURE_ROWS_SHA256
