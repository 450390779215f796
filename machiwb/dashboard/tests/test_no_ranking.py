"""No rankings anywhere: no page or API orders municipalities by a score, numbers positions or
names a best or worst (地域幸福度指標は順位付けに使わない)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RUN = {"fiscal_year": "2026", "survey_type": "national"}
CITIES = ["302015", "302023", "302031", "302082"]
FORBIDDEN = re.compile(
    r"第?\d+\s*位(?!置)|ランキング|上位|下位|ベスト|ワースト|最も高|最も低|最高|最低"
    r"|\bbest\b|\bworst\b|\brank(?:ing)?s?\b|\btop\s*\d+",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def _results(official_results: None) -> None:
    return None


def _pages(client: Client) -> dict[str, str]:
    base = {"m": "302015", "type": "national", "fy": "2026"}
    urls: dict[str, tuple[str, Any]] = {
        "dashboard": (reverse("dashboard:index"), base),
        "compare": (reverse("dashboard:index"), {**base, "c": CITIES[1:]}),
        "multiples": (reverse("dashboard:index"), {**base, "c": CITIES[1:], "layout": "multiples"}),
        "category": (reverse("dashboard:category", args=["c13"]), base),
        "api-guide": (reverse("opendata:guide"), {}),
        "api-scores": ("/api/v1/scores", RUN),
        "api-scores-csv": ("/api/v1/scores.csv", RUN),
        "api-overall": ("/api/v1/overall", RUN),
        "api-items": ("/api/v1/item-scores", {**RUN, "page_size": "10"}),
        "compare-csv": (
            reverse("dashboard:chart", args=["compare_subjective", "csv"]),
            {**base, "c": CITIES[1:]},
        ),
    }
    out = {}
    for name, (url, params) in urls.items():
        response = client.get(url, params)
        assert response.status_code == 200, name
        out[name] = response.content.decode("utf-8-sig")
    return out


def test_no_page_file_or_api_speaks_of_positions_or_best_and_worst(client: Client) -> None:
    for name, text in _pages(client).items():
        found = FORBIDDEN.findall(text)
        assert not found, f"{name}: {found}"


def test_api_lists_municipalities_in_code_order_not_by_score(client: Client) -> None:
    data = client.get("/api/v1/scores", RUN).json()["data"]
    by_category: dict[str, list[dict[str, Any]]] = {}
    for record in data:
        by_category.setdefault(str(record["category_code"]), []).append(record)
    score_orders_differ = False
    for records in by_category.values():
        codes = [r["lg_code"] for r in records]
        assert codes == sorted(codes)
        by_score = [
            r["lg_code"] for r in sorted(records, key=lambda r: -float(r["subjective_score"]))
        ]
        score_orders_differ |= by_score != codes
    # The published values are not already in code order, so the check above can fail.
    assert score_orders_differ


@pytest.mark.parametrize("order", list(itertools.permutations(CITIES[1:])))
def test_comparison_keeps_the_users_order_whatever_the_scores(
    client: Client, order: tuple[str, ...]
) -> None:
    params = {"m": "302015", "type": "national", "fy": "2026", "c": list(order)}
    page = client.get(reverse("dashboard:index"), params).context["page"]
    assert [r.municipality.code for r in page.compared_results] == ["302015", *order]
    series = [s.label.split()[0] for s in page.figures["compare_subjective"].chart.series]
    names = {"302015": "和歌山市", "302023": "海南市", "302031": "橋本市", "302082": "紀の川市"}
    assert series == [names[c] for c in ("302015", *order)]
