"""The pages, through the test client: role matrix, other-town 404s, forms and exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from machiwb.accounts.models import User
from machiwb.accounts.testing import login_staff
from machiwb.audit.models import AuditEntry
from machiwb.facilitation.models import (
    Dispatch,
    DispatchState,
    Facilitator,
    WorkshopKind,
    WorkshopReport,
)
from machiwb.facilitation.tests.conftest import Cast, days_from_today, make_facilitator
from machiwb.regions.models import Prefecture

pytestmark = pytest.mark.django_db

S = DispatchState


def signed_in(user: User) -> Client:
    client = Client()
    login_staff(client, user)
    return client


# --- public list -------------------------------------------------------------------------


def test_public_list_shows_only_listed_certified_facilitators_and_only_public_fields(
    cast: Cast, client: Client
) -> None:
    make_facilitator(None, "デモ 公開中", is_public=True, is_demo=True, languages=["ja", "ko"])
    make_facilitator(None, "デモ 非公開", is_public=False)
    make_facilitator(
        None,
        "デモ 期限切れ",
        is_public=True,
        training_completed_on=days_from_today(-800),
        certification_valid_until=days_from_today(-1),
    )
    response = client.get(reverse("facilitation:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "デモ 公開中" in html
    assert "デモ（架空の人物）" in html
    assert "和歌山県" in html
    assert "ダッシュボード・データ活用" in html
    assert "デモ 非公開" not in html
    assert "デモ 期限切れ" not in html
    assert "韓国語" not in html  # languages are not published
    assert "@example.jp" not in html


def test_signed_out_people_are_sent_to_login(cast: Cast, client: Client) -> None:
    response = client.get(reverse("facilitation:dispatch_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- ① application -----------------------------------------------------------------------


def application(**changes: str) -> dict[str, str]:
    data = {
        "kind": "staff",
        "date_1": days_from_today(30).isoformat(),
        "date_2": days_from_today(37).isoformat(),
        "date_3": "",
        "venue": "和歌山市役所 大会議室",
        "expected_participants": "30",
        "group_size": "5",
        "purpose": "管理職がWell-Being指標を施策の検討に使えるようにする",
        "materials": "/dashboard/?pref=30&m=302015\n子育て分野の優先度分析",
    }
    data.update(changes)
    return data


def test_editor_applies(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    url = reverse("facilitation:apply", args=["302015"])
    assert client.get(url).status_code == 200
    response = client.post(url, application())
    dispatch = Dispatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("facilitation:dispatch", args=[dispatch.public_id])
    assert (dispatch.municipality, dispatch.applicant, dispatch.state) == (
        cast.town_a,
        cast.editor_a,
        S.SUBMITTED,
    )
    assert dispatch.date_candidates.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "申請を受け付けました" in page
    assert '<a href="/dashboard/?pref=30&amp;m=302015">' in page


def test_mails_link_to_the_dispatch_page_absolutely(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(cast.editor_a).post(reverse("facilitation:apply", args=["302015"]), application())
    dispatch = Dispatch.objects.get()
    assert f"http://testserver/facilitation/dispatches/{dispatch.public_id}/" in (
        mail.outbox[0].body
    )


@pytest.mark.parametrize("role", ["viewer_a", "editor_b", "operator", "facilitator_user"])
def test_others_cannot_apply_for_town_a(cast: Cast, role: str) -> None:
    client = signed_in(getattr(cast, role))
    url = reverse("facilitation:apply", args=["302015"])
    assert client.get(url).status_code == 404
    assert client.post(url, application()).status_code == 404
    assert not Dispatch.objects.exists()


def test_kinds_not_open_yet_are_shown_disabled_with_the_reason_once(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    client = signed_in(cast.editor_a)
    url = reverse("facilitation:apply", args=["302015"])
    page = client.get(url).content.decode()
    assert page.count("職員向けワークショップの実施後に申請できます") == 2
    assert page.count("職員向けワークショップ") == 2  # the rule is not repeated elsewhere
    assert page.count(" disabled") == 2
    assert re.search(r'value="stakeholders"[^>]* disabled', page)
    assert re.search(r'value="residents"[^>]* disabled', page)
    assert re.search(r'value="staff"[^>]* checked', page)

    dispatch_in(DispatchState.HELD, kind=WorkshopKind.STAFF, day=days_from_today(-20))
    page = client.get(url).content.decode()
    assert "職員向けワークショップの実施後に申請できます" not in page
    assert " disabled" not in page


def test_resident_workshop_first_is_refused_on_the_kind_field(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    response = client.post(
        reverse("facilitation:apply", args=["302015"]), application(kind="residents")
    )
    assert response.status_code == 200
    assert "職員向けワークショップを実施した後に" in response.context["form"].errors["kind"][0]
    assert not Dispatch.objects.exists()


def test_past_date_is_refused_on_the_first_date_field(cast: Cast) -> None:
    client = signed_in(cast.editor_a)
    response = client.post(
        reverse("facilitation:apply", args=["302015"]),
        application(date_1=days_from_today(-1).isoformat()),
    )
    assert "明日以降" in response.context["form"].errors["date_1"][0]


# --- dispatch page and plain transitions ------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("operator", 200),
        ("admin_a", 200),
        ("editor_a", 200),
        ("viewer_a", 200),
        ("facilitator_user", 200),
        ("editor_b", 404),
        ("other_facilitator_user", 404),
    ],
)
def test_who_sees_a_dispatch(
    cast: Cast, dispatch_in: Callable[..., Dispatch], role: str, status: int
) -> None:
    dispatch = dispatch_in(S.PROPOSED, day=days_from_today(10))
    client = signed_in(getattr(cast, role))
    for name in ("dispatch", "workshop"):
        url = reverse(f"facilitation:{name}", args=[dispatch.public_id])
        assert client.get(url).status_code == status


def test_facilitator_sees_accept_and_decline_and_accepts(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.PROPOSED, day=days_from_today(10))
    client = signed_in(cast.facilitator_user)
    page = client.get(reverse("facilitation:dispatch", args=[dispatch.public_id])).content
    assert "引き受ける" in page.decode()
    assert "辞退する" in page.decode()
    response = client.post(reverse("facilitation:act", args=[dispatch.public_id, "accept"]))
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.state == S.ACCEPTED


def test_declining_facilitator_goes_back_to_their_list(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.PROPOSED, day=days_from_today(10))
    client = signed_in(cast.facilitator_user)
    response = client.post(
        reverse("facilitation:act", args=[dispatch.public_id, "decline"]),
        {"decline-reason": "先約があります"},
    )
    assert response["Location"] == reverse("facilitation:dispatch_list")
    dispatch.refresh_from_db()
    assert dispatch.state == S.SUBMITTED
    assert AuditEntry.objects.get().details["reason"] == "先約があります"


def test_a_forbidden_transition_is_403_and_changes_nothing(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.ACCEPTED, day=days_from_today(10))
    response = signed_in(cast.editor_a).post(
        reverse("facilitation:act", args=[dispatch.public_id, "decide"])
    )
    assert response.status_code == 403
    dispatch.refresh_from_db()
    assert dispatch.state == S.ACCEPTED


def test_other_town_cannot_act_and_gets_404(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.SUBMITTED, day=days_from_today(10))
    response = signed_in(cast.editor_b).post(
        reverse("facilitation:act", args=[dispatch.public_id, "cancel"]),
        {"cancel-reason": "x"},
    )
    assert response.status_code == 404
    dispatch.refresh_from_db()
    assert dispatch.state == S.SUBMITTED


@pytest.mark.parametrize("name", ["submit", "propose", "report_organiser", "nonsense"])
def test_only_plain_transitions_have_a_post_url(
    cast: Cast, dispatch_in: Callable[..., Dispatch], name: str
) -> None:
    dispatch = dispatch_in(S.SUBMITTED, day=days_from_today(10))
    response = signed_in(cast.operator).post(
        reverse("facilitation:act", args=[dispatch.public_id, name])
    )
    assert response.status_code == 404


def test_cancel_without_reason_shows_the_error(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.SUBMITTED, day=days_from_today(10))
    client = signed_in(cast.editor_a)
    response = client.post(
        reverse("facilitation:act", args=[dispatch.public_id, "cancel"]),
        {"cancel-reason": ""},
        follow=True,
    )
    assert "このフィールドは必須です" in response.content.decode()
    dispatch.refresh_from_db()
    assert dispatch.state == S.SUBMITTED


def test_hold_before_the_day_shows_the_rule(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.NOTIFIED, day=days_from_today(3))
    response = signed_in(cast.editor_a).post(
        reverse("facilitation:act", args=[dispatch.public_id, "hold"]), follow=True
    )
    assert "より前には実施済みにできません" in response.content.decode()


# --- ② matching --------------------------------------------------------------------------


def test_matching_filters_and_explains(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    day = days_from_today(10)
    make_facilitator(
        None,
        "デモ 期限切れ",
        training_completed_on=days_from_today(-800),
        certification_valid_until=days_from_today(5),
    )
    osaka = make_facilitator(None, "デモ 大阪のみ")
    osaka.prefectures.set([Prefecture.objects.get(code="270008")])
    dispatch_in(S.DECIDED, day=day, town=cast.town_b)  # books デモ 進行役A on the day
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    client = signed_in(cast.operator)
    url = reverse("facilitation:match", args=[dispatch.public_id])

    names = [r.facilitator.name for r in client.get(url).context["rows"]]
    assert names == ["デモ 進行役B"]

    rows = client.get(url, {"all": "on"}).context["rows"]
    reasons = {r.facilitator.name: r.days[0].problem for r in rows}
    assert set(reasons) == {"デモ 進行役A", "デモ 進行役B", "デモ 期限切れ"}
    assert reasons["デモ 進行役B"] is None
    assert reasons["デモ 進行役A"] is not None
    assert "別の派遣" in reasons["デモ 進行役A"].message
    assert reasons["デモ 期限切れ"] is not None
    assert "更新研修" in reasons["デモ 期限切れ"].message

    rows = client.get(url, {"pref": "270008", "all": "on"}).context["rows"]
    assert [r.facilitator.name for r in rows] == ["デモ 大阪のみ"]
    rows = client.get(url, {"pref": "", "specialty": "childcare", "all": "on"}).context["rows"]
    assert rows == []


def test_operator_proposes_from_the_matching_screen(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    day = days_from_today(10)
    dispatch = dispatch_in(S.SUBMITTED, day=day)
    response = signed_in(cast.operator).post(
        reverse("facilitation:match", args=[dispatch.public_id]),
        {"facilitator": str(cast.other_facilitator.public_id), "workshop_date": day.isoformat()},
    )
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.facilitator, dispatch.workshop_date) == (
        S.PROPOSED,
        cast.other_facilitator,
        day,
    )


def test_staff_cannot_open_matching(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.SUBMITTED, day=days_from_today(10))
    url = reverse("facilitation:match", args=[dispatch.public_id])
    assert signed_in(cast.admin_a).get(url).status_code == 403


# --- ③ workshop page ---------------------------------------------------------------------


def test_workshop_page_has_the_programme_links_and_print_styles(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.NOTIFIED, day=days_from_today(10))
    Dispatch.objects.filter(pk=dispatch.pk).update(
        materials="/dashboard/?pref=30&m=302015\nhttps://elsewhere.example/x\n子育ての分析"
    )
    html = (
        signed_in(cast.facilitator_user)
        .get(reverse("facilitation:workshop", args=[dispatch.public_id]))
        .content.decode()
    )
    for text in (
        "午前（2時間）",
        "ダッシュボード演習",
        "午後（3時間）",
        "政策デザインのグループワーク",
        "チーム発表",
        "振り返り",
        "30人（1グループ5人・6グループ）",
        'href="/dashboard/?pref=30&amp;m=302015"',
        'href="/regions/302015/"',
        'href="/analysis/302015/"',
        'href="/logictrees/302015/"',
        "facilitation/css/facilitation.css",
    ):
        assert text in html
    assert 'href="https://elsewhere.example' not in html
    assert "https://elsewhere.example/x" in html


# --- ④ reports ---------------------------------------------------------------------------


def test_organiser_and_facilitator_report(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.HELD)
    data = {"participants": "27", "group_count": "6", "summary": "予定どおり", "outcomes": ""}
    staff = signed_in(cast.editor_a)
    organiser_url = reverse("facilitation:report", args=[dispatch.public_id, "organiser"])
    facilitator_url = reverse("facilitation:report", args=[dispatch.public_id, "facilitator"])
    assert staff.get(facilitator_url).status_code == 403
    assert staff.get(organiser_url).context["form"]["group_count"].value() == 6
    assert staff.post(organiser_url, data).status_code == 302
    assert staff.get(organiser_url).status_code == 403  # filed once
    facilitator = signed_in(cast.facilitator_user)
    assert facilitator.post(facilitator_url, {**data, "participants": "x"}).status_code == 200
    assert facilitator.post(facilitator_url, data).status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.state == S.REPORTED
    assert WorkshopReport.objects.count() == 2


@pytest.mark.parametrize("role", ["organiser", "facilitator", "other"])
def test_report_forms_of_other_towns_are_404(
    cast: Cast, dispatch_in: Callable[..., Dispatch], role: str
) -> None:
    dispatch = dispatch_in(S.HELD)
    url = reverse("facilitation:report", args=[dispatch.public_id, role])
    assert signed_in(cast.editor_b).get(url).status_code == 404


def test_operator_marks_paid(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.REPORTED, day=days_from_today(-7))
    response = signed_in(cast.operator).post(
        reverse("facilitation:act", args=[dispatch.public_id, "mark_paid"]),
        {
            "mark_paid-paid_on": days_from_today(-1).isoformat(),
            "mark_paid-fee_yen": "30000",
            "mark_paid-travel_expenses_yen": "4560",
        },
    )
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.paid_on, dispatch.fee_yen) == (
        S.PAID,
        days_from_today(-1),
        30000,
    )
    page = signed_in(cast.operator).get(response["Location"]).content.decode()
    assert "謝金 30,000円・旅費 4,560円" in page


# --- operator list and export -------------------------------------------------------------


def test_export_csv_and_xlsx_neutralise_formulas(
    cast: Cast, dispatch_in: Callable[..., Dispatch]
) -> None:
    dispatch = dispatch_in(S.PAID, day=days_from_today(-10))
    Dispatch.objects.filter(pk=dispatch.pk).update(
        venue='=HYPERLINK("http://x","y")',
        fiscal_year=2026,
        paid_on=days_from_today(-1),
        fee_yen=30000,
        travel_expenses_yen=0,
    )
    Facilitator.objects.filter(pk=cast.facilitator.pk).update(name="@SUM(A1)")
    client = signed_in(cast.operator)

    response = client.get(reverse("facilitation:export", args=[2026, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "fy2026.csv" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff申請ID,年度,自治体コード")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["自治体コード"] == "302015"
    assert row["会場"] == '\'=HYPERLINK("http://x","y")'
    assert row["ファシリテーター"] == "'@SUM(A1)"
    assert row["状況"] == "支払済み"
    assert (row["支払日"], row["謝金（円）"], row["旅費（円）"]) == (
        days_from_today(-1).isoformat(),
        "30000",
        "0",
    )

    response = client.get(reverse("facilitation:export", args=[2026, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][0] == "申請ID"
    assert values[1][9] == '\'=HYPERLINK("http://x","y")'
    assert sheet.cell(row=2, column=10).data_type == "s"
    assert (values[1][15], values[1][16]) == (30000, 0)
    assert AuditEntry.objects.filter(action="facilitation.dispatch.export").count() == 2


@pytest.mark.parametrize("role", ["admin_a", "facilitator_user"])
def test_operator_pages_are_for_operators_only(cast: Cast, role: str) -> None:
    client = signed_in(getattr(cast, role))
    for url in (
        reverse("facilitation:operator"),
        reverse("facilitation:export", args=[2026, "csv"]),
        reverse("facilitation:registry"),
        reverse("facilitation:registry_new"),
    ):
        assert client.get(url).status_code == 403


def test_operator_list_by_fiscal_year(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch = dispatch_in(S.SUBMITTED, day=days_from_today(10))
    Dispatch.objects.filter(pk=dispatch.pk).update(fiscal_year=2031)
    client = signed_in(cast.operator)
    assert list(
        client.get(reverse("facilitation:operator"), {"fy": "2031"}).context["dispatches"]
    ) == [dispatch]
    assert (
        list(client.get(reverse("facilitation:operator"), {"fy": "2030"}).context["dispatches"])
        == []
    )


def test_operator_list_filters_by_state(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    waiting = dispatch_in(S.ACCEPTED, day=days_from_today(10))
    proposed = dispatch_in(S.PROPOSED, day=days_from_today(11), town=cast.town_b)
    Dispatch.objects.update(fiscal_year=2031)
    client = signed_in(cast.operator)
    url = reverse("facilitation:operator")

    def listed(state: str) -> list[Dispatch]:
        return list(client.get(url, {"fy": "2031", "state": state}).context["dispatches"])

    assert listed("waiting") == [waiting]
    assert listed("proposed") == [proposed]
    assert listed("") == [waiting, proposed]
    assert listed("nonsense") == [waiting, proposed]


# --- registry ----------------------------------------------------------------------------


def registry_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "デモ 進行役C",
        "name_kana": "デモ シンコウヤクシー",
        "prefectures": ["300004"],
        "training_completed_on": "2025-10-01",
        "certification_valid_until": "2027-09-30",
        "specialties": ["dashboard"],
        "languages": ["ja"],
        "available_weekdays": ["0", "2"],
        "unavailable": "2026-12-28〜2027-01-04\n2027-02-11",
        "user_email": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_operator_registers_and_updates(cast: Cast) -> None:
    client = signed_in(cast.operator)
    response = client.post(reverse("facilitation:registry_new"), registry_form())
    assert response.status_code == 302
    facilitator = Facilitator.objects.get(name="デモ 進行役C")
    assert facilitator.unavailabilities.count() == 2
    url = reverse("facilitation:registry_edit", args=[facilitator.public_id])
    form = client.get(url).context["form"]
    assert form["unavailable"].value() == "2026-12-28〜2027-01-04\n2027-02-11"
    client.post(url, registry_form(certification_valid_until="2030-09-30", unavailable=""))
    facilitator.refresh_from_db()
    assert facilitator.certification_valid_until.isoformat() == "2030-09-30"
    assert not facilitator.unavailabilities.exists()


def test_registry_list_flags_lapsed_certification(cast: Cast) -> None:
    make_facilitator(
        None,
        "デモ 期限切れ",
        training_completed_on=days_from_today(-800),
        certification_valid_until=days_from_today(-1),
    )
    html = signed_in(cast.operator).get(reverse("facilitation:registry")).content.decode()
    assert html.count("認定が有効ではありません（更新研修が必要）") == 1


def test_registry_form_names_the_bad_line(cast: Cast) -> None:
    response = signed_in(cast.operator).post(
        reverse("facilitation:registry_new"), registry_form(unavailable="2026-12-28\n12月30日")
    )
    assert "2行目「12月30日」" in response.context["form"].errors["unavailable"][0]
    assert not Facilitator.objects.filter(name="デモ 進行役C").exists()


# --- MyPage ------------------------------------------------------------------------------


def test_mypage_panels(cast: Cast, dispatch_in: Callable[..., Dispatch]) -> None:
    dispatch_in(S.PROPOSED, day=days_from_today(10))
    staff_page = signed_in(cast.editor_a).get(reverse("accounts:mypage")).content.decode()
    assert "ファシリテーター派遣の申請" in staff_page
    assert "和歌山市として派遣を申請する" in staff_page
    facilitator_page = (
        signed_in(cast.facilitator_user).get(reverse("accounts:mypage")).content.decode()
    )
    assert "担当するワークショップ" in facilitator_page
    assert "和歌山市" in facilitator_page
    other_page = signed_in(cast.editor_b).get(reverse("accounts:mypage")).content.decode()
    assert "和歌山市" not in other_page
    viewer_page = signed_in(cast.viewer_a).get(reverse("accounts:mypage")).content.decode()
    assert "として派遣を申請する" not in viewer_page


# --- no N+1 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["facilitation:operator", "facilitation:index", "facilitation:registry"]
)
def test_list_pages_do_not_query_per_row(
    cast: Cast, dispatch_in: Callable[..., Dispatch], url_name: str
) -> None:
    client = signed_in(cast.operator)
    url = reverse(url_name) + "?fy=2026"

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    dispatch_in(S.NOTIFIED, day=days_from_today(10))
    make_facilitator(None, "デモ 追加1", is_public=True)
    few = queries()
    for n in range(4):
        dispatch_in(S.SUBMITTED, day=days_from_today(20 + n), town=cast.town_b)
        make_facilitator(None, f"デモ 追加{n + 2}", is_public=True)
    assert queries() == few
