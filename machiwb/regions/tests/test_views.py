import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _regions(regions_loaded: None) -> None:
    return None


def test_index_lists_all_47_prefectures(client: Client) -> None:
    response = client.get(reverse("regions:index"))
    assert response.status_code == 200
    assert len(response.context["prefectures"]) == 47
    body = response.content.decode()
    assert "北海道" in body
    assert "沖縄県" in body


@pytest.mark.parametrize("query", ["札幌", "さっぽろ", "サッポロ", "ｻｯﾎﾟﾛ"])
def test_search_by_kanji_or_reading(client: Client, query: str) -> None:
    response = client.get(reverse("regions:index"), {"q": query})
    names = [m.name for m in response.context["results"]]
    assert "札幌市" in names
    assert "札幌市中央区" in names


def test_search_without_match_says_so(client: Client) -> None:
    response = client.get(reverse("regions:index"), {"q": "存在しない町"})
    assert response.context["results"] == []
    assert "見つかりませんでした" in response.content.decode()


def test_prefecture_page_lists_its_municipalities_in_code_order(client: Client) -> None:
    response = client.get(reverse("regions:prefecture", args=["300004"]))  # 和歌山県
    codes = [m.code for m in response.context["municipalities"]]
    assert codes == sorted(codes)
    assert codes[0] == "302015"  # 和歌山市
    assert len(codes) == 30


def test_municipality_page_shows_population_and_wards(client: Client) -> None:
    response = client.get(reverse("regions:municipality", args=["011002"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1,973,395" in body
    assert "札幌市中央区" in body


def test_unknown_code_is_404(client: Client) -> None:
    assert client.get(reverse("regions:municipality", args=["999999"])).status_code == 404
    assert client.get(reverse("regions:prefecture", args=["999999"])).status_code == 404


def test_page_is_japanese_with_skip_link(client: Client) -> None:
    body = client.get(reverse("regions:index")).content.decode()
    assert '<html lang="ja">' in body
    assert 'href="#main"' in body
    assert "https://" not in body.split("<body>")[0]  # no external assets in <head>
