"""The staff analysis pages through the test client: access, content, downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from django.core.management.base import OutputWrapper
from django.test import Client

from machiwb.accounts.models import Membership, Role, User
from machiwb.accounts.testing import make_operator
from machiwb.analysis import demo
from machiwb.regions.models import Municipality
from machiwb.surveys.models import Response, Survey, SurveyType
from machiwb.surveys.services import survey_publish

pytestmark = pytest.mark.django_db

WAKAYAMA = "302015"


@pytest.fixture
def demo_survey(official_results: None) -> Survey:
    demo.load_demo_data(OutputWrapper(io.StringIO()))
    return Survey.objects.get(title=demo.TITLE)


def _url(survey: Survey, suffix: str = "") -> str:
    return f"/analysis/{WAKAYAMA}/{survey.public_id}/{suffix}"


@pytest.fixture
def wakayama_client(
    staff_user_factory: Callable[..., User], verified_client: Callable[[User], Client]
) -> Client:
    return verified_client(staff_user_factory(municipality=WAKAYAMA, role=Role.VIEWER))


def test_demo_is_idempotent(demo_survey: Survey) -> None:
    demo.load_demo_data(OutputWrapper(io.StringIO()))
    assert Survey.objects.filter(title=demo.TITLE).count() == 1
    assert Response.objects.filter(survey_version__survey=demo_survey).count() == demo.RESPONDENTS


def test_anonymous_is_sent_to_login(demo_survey: Survey, client: Client) -> None:
    response = client.get(_url(demo_survey))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_staff_of_another_municipality_gets_404_everywhere(
    demo_survey: Survey,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    outsider = verified_client(staff_user_factory(municipality="302023", role=Role.ADMIN))
    for suffix in ("", "analysis.csv", "q1/performance.png"):
        assert outsider.get(_url(demo_survey, suffix)).status_code == 404
    assert outsider.get(f"/analysis/{WAKAYAMA}/").status_code == 404
    # nor can 海南市 open 和歌山市's survey under its own code
    assert outsider.get(f"/analysis/302023/{demo_survey.public_id}/").status_code == 404


def test_survey_list_links_the_survey(demo_survey: Survey, wakayama_client: Client) -> None:
    page = wakayama_client.get(f"/analysis/{WAKAYAMA}/").content.decode()
    assert demo.TITLE in page
    assert _url(demo_survey) in page
    assert "回答者 400 人" in page


def test_page_shows_priorities_charts_and_peers(
    demo_survey: Survey, wakayama_client: Client
) -> None:
    response = wakayama_client.get(_url(demo_survey))
    assert response.status_code == 200
    page = response.content.decode()
    assert "重点課題の候補" in page
    # 健康状態 drives happiness in the generated model; 和歌山市 scores 46.0 there (< 50)
    report = response.context["report"]
    health = next(
        a for i, a in zip(report.categories, report.assessments, strict=True) if i.code == "c20"
    )
    assert health.performance_quadrant == "priority"
    assert {info.code for info, _ in report.priorities} >= {"c20", "c23"}
    assert _url(demo_survey, "q1/performance.png") in page
    assert _url(demo_survey, "q1/gap.pdf") in page
    # the other three 和歌山県 cities with published scores are the peers, in code order
    peers = [m.code for m in report.peers.municipalities]
    assert peers == ["302023", "302031", "302082"]
    assert "同じ年度の全国調査の偏差値を使っています" in page


def test_life_satisfaction_is_the_second_outcome(
    demo_survey: Survey, wakayama_client: Client
) -> None:
    response = wakayama_client.get(_url(demo_survey) + "?outcome=q4")
    assert response.context["report"].outcome == "q4"
    assert "生活満足度との関係" in response.content.decode()
    assert wakayama_client.get(_url(demo_survey) + "?outcome=q2").status_code == 404


def test_chart_downloads(demo_survey: Survey, wakayama_client: Client) -> None:
    png = wakayama_client.get(_url(demo_survey, "q1/performance.png"))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    pdf = wakayama_client.get(_url(demo_survey, "q4/gap.pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert wakayama_client.get(_url(demo_survey, "q1/radar.png")).status_code == 404
    assert wakayama_client.get(_url(demo_survey, "q1/gap.svg")).status_code == 404


def test_csv_lists_both_outcomes_in_catalog_order(
    demo_survey: Survey, wakayama_client: Client
) -> None:
    response = wakayama_client.get(_url(demo_survey, "analysis.csv"))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 48
    assert [r["category_code"] for r in rows[:24]] == [f"c{i:02d}" for i in range(1, 25)]
    assert {r["outcome"] for r in rows} == {"q1", "q4"}
    health = next(r for r in rows if r["outcome"] == "q1" and r["category_code"] == "c20")
    assert (health["subjective_score"], health["objective_score"]) == ("46.00", "45.40")
    assert health["gap"] == "0.60"
    shares = sum(float(r["ridge_share_percent"]) for r in rows if r["outcome"] == "q1")
    assert shares == pytest.approx(100, abs=0.05)


def test_too_few_respondents_says_so(official_results: None, wakayama_client: Client) -> None:
    municipality = Municipality.objects.get(code=WAKAYAMA)
    survey = Survey.objects.create(
        survey_type=SurveyType.INDIVIDUAL,
        municipality=municipality,
        fiscal_year=2025,
        catalog_version="fy2023",
        title="小さな試行調査",
    )
    version = survey_publish(survey=survey, actor=None)
    Response.objects.bulk_create(
        Response(
            survey_version=version, municipality=municipality, answered_on=date(2025, 6, 1), **row
        )
        for row in demo.generated_answers(count=37, seed=1)
    )
    page = wakayama_client.get(_url(survey)).content.decode()
    assert "回答者が少ないため、重要度を計算していません" in page
    assert "37 人です" in page
    assert "performance.png" not in page


def test_index_goes_to_the_users_municipality_or_offers_a_choice(
    regions_loaded: None,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    user = staff_user_factory(municipality=WAKAYAMA, role=Role.VIEWER)
    client = verified_client(user)
    assert client.get("/analysis/")["Location"] == f"/analysis/{WAKAYAMA}/"
    Membership.objects.create(user=user, municipality_id="302023", role=Role.VIEWER)
    page = client.get("/analysis/").content.decode()
    assert "/analysis/302023/" in page
    assert f"/analysis/{WAKAYAMA}/" in page


def test_a_municipal_survey_without_its_own_deviation_scores_uses_the_national_ones(
    demo_survey: Survey, wakayama_client: Client
) -> None:
    from machiwb.indicators.selectors import score_municipality
    from machiwb.indicators.services import indicators_compute

    # the engine scores the 個別調査: 実数 only, as no reference set exists for it
    run = indicators_compute(fiscal_year=demo.FISCAL_YEAR, survey_type=SurveyType.INDIVIDUAL)
    own = score_municipality(run=run, municipality_code=WAKAYAMA)
    assert own.has_results
    assert all(c.subjective_score_raw is None for c in own.categories)
    report = wakayama_client.get(_url(demo_survey)).context["report"]
    assert report.scores.run.survey_type == SurveyType.NATIONAL
    assert report.scores.from_other_survey_type
    health = next(
        a for i, a in zip(report.categories, report.assessments, strict=True) if i.code == "c20"
    )
    assert health.performance == 46.0


def test_mypage_links_analysis_and_logic_trees_of_each_municipality(
    regions_loaded: None,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    user = staff_user_factory(municipality=WAKAYAMA, role=Role.VIEWER)
    page = verified_client(user).get("/mypage/").content.decode()
    assert f'href="/analysis/{WAKAYAMA}/"' in page
    assert f'href="/logictrees/{WAKAYAMA}/"' in page
    assert 'href="/analysis/302023/"' not in page


def test_mypage_has_no_analysis_panel_without_a_municipality(
    regions_loaded: None, verified_client: Callable[[User], Client]
) -> None:
    page = verified_client(make_operator()).get("/mypage/").content.decode()
    assert "課題分野の分析とロジックツリー" not in page
