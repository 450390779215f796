"""Favourites (お気に入り): only for signed-in users, per user, shown on MyPage."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.dashboard.models import Favorite

pytestmark = pytest.mark.django_db

SELECTION = {"m": "302015", "type": "national", "fy": "2026", "c": "302023"}


@pytest.fixture(autouse=True)
def _results(official_results: None) -> None:
    return None


def test_anonymous_users_see_a_login_hint_and_cannot_add(client: Client) -> None:
    body = client.get(reverse("dashboard:index"), SELECTION).content.decode()
    assert "ログインすると、この表示条件をお気に入りに保存できます" in body
    response = client.post(reverse("dashboard:favorite_add"), SELECTION)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Favorite.objects.exists()


def test_a_favourite_added_in_english_is_named_in_english() -> None:
    user = make_staff(municipality="302015", role=Role.VIEWER)
    client = Client()
    login_staff(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("dashboard:favorite_add"), SELECTION)
    assert Favorite.objects.get(user=user).label == (
        "和歌山県 和歌山市  National survey · FY2026 (Reiwa 8)  compared with 海南市"
    )


def test_add_show_on_mypage_and_remove() -> None:
    user = make_staff(municipality="302015", role=Role.VIEWER)
    client = Client()
    login_staff(client, user)
    response = client.post(reverse("dashboard:favorite_add"), SELECTION)
    assert response.status_code == 302
    assert "m=302015" in response["Location"]
    favorite = Favorite.objects.get(user=user)
    assert favorite.label.startswith("和歌山県 和歌山市　全国調査・2026年度（令和8年度）")
    assert "比較：海南市" in favorite.label
    assert AuditEntry.objects.filter(action="dashboard.favorite_add").count() == 1
    # Adding the same selection again keeps one favourite.
    client.post(reverse("dashboard:favorite_add"), SELECTION)
    assert Favorite.objects.filter(user=user).count() == 1

    page = client.get(reverse("dashboard:index"), SELECTION).content.decode()
    assert "お気に入りから外す" in page
    mypage = client.get(reverse("accounts:mypage")).content.decode()
    assert "ダッシュボードのお気に入り" in mypage
    assert f"?{favorite.query}" in mypage.replace("&amp;", "&")

    removed = client.post(
        reverse("dashboard:favorite_remove", args=[favorite.public_id]),
        {"next": "https://evil.example/"},
    )
    assert removed["Location"] == reverse("accounts:mypage")
    assert not Favorite.objects.exists()


def test_a_user_cannot_remove_someone_elses_favourite() -> None:
    owner = make_staff(municipality="302015", role=Role.VIEWER)
    other = make_staff(municipality="302023", role=Role.VIEWER)
    owner_client, other_client = Client(), Client()
    login_staff(owner_client, owner)
    login_staff(other_client, other)
    owner_client.post(reverse("dashboard:favorite_add"), SELECTION)
    favorite = Favorite.objects.get()
    other_client.post(reverse("dashboard:favorite_remove", args=[favorite.public_id]))
    assert Favorite.objects.filter(pk=favorite.pk).exists()
    assert (
        "和歌山市"
        not in other_client.get(reverse("accounts:mypage"))
        .content.decode()
        .split("ダッシュボードのお気に入り")[1]
    )
