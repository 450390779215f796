import pytest
from django.test import Client
from django.urls import reverse

from machiwb.accounts.models import Role
from machiwb.accounts.panels import MyPagePanel, mypage_panels_collect
from machiwb.accounts.testing import login_staff, make_staff

pytestmark = pytest.mark.django_db


def test_mypage_needs_two_factor_login() -> None:
    response = Client().get(reverse("accounts:mypage"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_mypage_shows_the_accounts_panel_with_memberships(regions_loaded: None) -> None:
    user = make_staff(municipality="302015", role=Role.ADMIN)
    client = Client()
    login_staff(client, user)
    response = client.get(reverse("accounts:mypage"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "和歌山市" in body
    assert "管理者" in body
    panels = response.context["panels"]
    assert all(isinstance(p, MyPagePanel) for p in panels)
    assert any(p.template_name == "accounts/_mypage_account.html" for p in panels)


def test_panels_are_collected_from_each_apps_mypage_module(regions_loaded: None) -> None:
    from django.test import RequestFactory

    user = make_staff(municipality="302015", role=Role.VIEWER)
    request = RequestFactory().get("/mypage/")
    request.user = user
    names = [p.template_name for p in mypage_panels_collect(request)]
    assert "accounts/_mypage_account.html" in names


def test_recovery_codes_can_be_reissued(regions_loaded: None) -> None:
    user = make_staff(municipality="302015", role=Role.VIEWER)
    client = Client()
    login_staff(client, user)
    response = client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
