"""The open-data API: documented schema, CSV = JSON, caching, CORS, clear errors, same numbers
as the dashboard, and no 5xx for any parameters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from machiwb.opendata import datasets
from machiwb.opendata.openapi import COLUMN_TYPES, openapi_document

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "formats" / "open-data.md"
RUN = {"fiscal_year": "2026", "survey_type": "national"}
#: The official exports publish no respondent profile; the computed demo survey has one.
COMPUTED = {"fiscal_year": "2025", "survey_type": "individual"}
_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


@pytest.fixture(autouse=True)
def _results(computed_results: None) -> None:
    return None


def _check_record(record: dict[str, Any], schema: dict[str, Any]) -> None:
    assert list(record) == schema["required"]
    for name, value in record.items():
        kinds = schema["properties"][name]["type"]
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if value is None:
            assert "null" in kinds, name
        else:
            expected = tuple(_TYPES[k] for k in kinds if k != "null")
            assert isinstance(value, expected), (name, value)
            assert not (isinstance(value, bool) and "boolean" not in kinds), name


def _urls() -> list[tuple[str, str, dict[str, str]]]:
    document = openapi_document()
    out = []
    for path, operation in document["paths"].items():
        params = (
            RUN if any(p["name"] == "fiscal_year" for p in operation["get"]["parameters"]) else {}
        )
        if path == "/api/v1/profile":
            params = COMPUTED
        out.append((path, path.replace("{version}", "fy2023"), params))
    return out


@pytest.mark.parametrize(("template", "url", "params"), _urls())
def test_every_endpoint_matches_its_openapi_schema(
    client: Client, template: str, url: str, params: dict[str, str]
) -> None:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    schema = openapi_document()["paths"][template]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert set(schema["required"]) <= set(body)
    record_schema = schema["properties"]["data"]["items"]
    assert body["columns"] == record_schema["required"]
    assert body["data"], url
    for record in body["data"]:
        _check_record(record, record_schema)
    csv_response = client.get(url, {**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8"))))
    assert rows[0] == body["columns"]
    assert len(rows) - 1 == len(body["data"])


def test_every_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for column in COLUMN_TYPES:
        assert f"| `{column}` |" in text, column
    for name in datasets.RESULT_DATASETS:
        assert f"`/api/v1/{name}`" in text


def test_scores_are_the_published_values_in_code_order(client: Client) -> None:
    body = client.get("/api/v1/scores", RUN).json()
    codes = list(dict.fromkeys(r["lg_code"] for r in body["data"]))
    assert codes == ["302015", "302023", "302031", "302082"]
    assert body["meta"]["order"] == "lg_code"
    first = body["data"][0]
    assert (first["category_name_ja"], first["subjective_score"], first["objective_score"]) == (
        "医療・福祉",
        51.2,
        48.0,
    )


def test_dashboard_and_api_show_the_same_numbers(client: Client) -> None:
    page = client.get(reverse("dashboard:index"), {"m": "302023", **{"fy": "2026"}}).context["page"]
    radar_rows = page.figures["radar"].table.rows
    api = client.get("/api/v1/scores", {**RUN, "municipality": "302023"}).json()["data"]
    assert [(r[0], r[1], r[2]) for r in radar_rows] == [
        (a["category_name_ja"], a["subjective_score"], a["objective_score"]) for a in api
    ]
    overall = client.get("/api/v1/overall", {**RUN, "municipality": "302023"}).json()["data"]
    q1 = {r["answer"]: r["percent"] for r in overall if r["question_code"].lower() == "q1"}
    figure_rows = page.figures["overall_q1"].table.rows
    assert {int(r[0]): r[1] for r in figure_rows if r[1] is not None} == q1


def test_profile_suppresses_exactly_as_the_dashboard(client: Client) -> None:
    api = client.get("/api/v1/profile", {**COMPUTED, "municipality": "302023"}).json()
    page = client.get(
        reverse("dashboard:index"), {"m": "302023", "type": "individual", "fy": "2025"}
    ).context["page"]
    shown = [n for row in page.profile.cells for n in row]
    assert [r["n"] for r in api["data"]] == shown
    assert all(r["suppressed"] == (r["n"] is None) for r in api["data"])
    assert all(r["n"] is None or r["n"] >= api["meta"]["min_public_n"] for r in api["data"])
    assert any(r["n"] is None for r in api["data"])


def test_conditional_get_returns_304(client: Client) -> None:
    first = client.get("/api/v1/scores", RUN)
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    again = client.get("/api/v1/scores", RUN, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_cors_preflight_and_read_only(client: Client) -> None:
    preflight = client.options("/api/v1/scores")
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    post = client.post("/api/v1/scores", RUN)
    assert post.status_code == 405
    assert post.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"survey_type": "national"}, "fiscal_year"),
        ({"fiscal_year": "2026", "survey_type": "x"}, "survey_type"),
        ({**RUN, "municipality": "30201"}, "municipality"),
        ({**RUN, "page_size": "500"}, "page_size"),
        ({**RUN, "format": "xml"}, "format"),
        ({**RUN, "page": ["1", "2"]}, "page"),
        ({**RUN, "fiscal_year": ["2026", "2025"]}, "fiscal_year"),
        ({**RUN, "page": "2"}, "page"),
        ({**RUN, "fiscal_year": "２０２６"}, "fiscal_year"),
        ({**RUN, "page": "²"}, "page"),
        ({**RUN, "municipality": "３０２０１５"}, "municipality"),
    ],
)
def test_bad_parameters_name_the_field(
    client: Client, params: dict[str, str | list[str]], field: str
) -> None:
    response = client.get("/api/v1/scores", params)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/municipalities", {"pref": "99"}, "pref"),
        ("/api/v1/municipalities", {"pref": "３０"}, "pref"),
        ("/api/v1/municipalities", {"page": "3", "page_size": "2000"}, "page"),
        ("/api/v1/scores.csv", {**RUN, "format": "json"}, "format"),
        ("/api/v1/runs.json", {"format": "csv"}, "format"),
    ],
)
def test_bad_values_are_refused_not_ignored(
    client: Client, url: str, params: dict[str, str], field: str
) -> None:
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_parameter",
        "message": response.json()["error"]["message"],
        "field": field,
    }


RESULT_ALLOWED = ["fiscal_year", "survey_type", "municipality", "page", "page_size", "format"]


@pytest.mark.parametrize(
    ("url", "params", "field", "allowed", "hint"),
    [
        ("/api/v1/scores", {**RUN, "fiscal_yaer": "2024"}, "fiscal_yaer", RESULT_ALLOWED, "「fiscal_year」の誤り"),
        ("/api/v1/scores", {**RUN, "format": "csv", "fiscal_yaer": "2024"}, "fiscal_yaer", RESULT_ALLOWED, "fiscal_year"),
        ("/api/v1/scores.csv", {**RUN, "sort": "score"}, "sort", RESULT_ALLOWED, "得点順には並べません"),
        ("/api/v1/scores", {**RUN, "order_by": "-subjective_score"}, "order_by", RESULT_ALLOWED, "得点順には並べません"),
        ("/api/v1/overall", {**RUN, "format": "csv", "sort": "score"}, "sort", RESULT_ALLOWED, "得点順には並べません"),
        ("/api/v1/municipalities.csv", {"prefecture": "30"}, "prefecture", ["pref", "page", "page_size", "format"], "pref"),
        ("/api/v1/catalog/fy2023/items", {"lang": "en"}, "lang", ["format"], "format"),
        ("/api/v1/", {"format": "csv"}, "format", [], "受け付けません"),
        ("/api/v1/openapi.json", {"v": "2"}, "v", [], "受け付けません"),
    ],
)  # fmt: skip
def test_unknown_parameters_are_refused_naming_them(
    client: Client,
    url: str,
    params: dict[str, str],
    field: str,
    allowed: list[str],
    hint: str,
) -> None:
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-store"
    error = response.json()["error"]
    assert (error["code"], error["field"], error["allowed"]) == (
        "unknown_parameter",
        field,
        allowed,
    )
    assert f"「{field}」" in error["message"]
    assert hint in error["message"]


def test_documented_parameters_are_exactly_the_accepted_ones(client: Client) -> None:
    guide = client.get(reverse("opendata:guide")).content.decode()
    for template, url, params in _urls():
        operation = openapi_document()["paths"][template]["get"]
        documented = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
        refused = client.get(url, {**params, "zz": "1"}).json()["error"]
        assert sorted(refused["allowed"]) == sorted(documented), template
        for name in documented:
            assert f"<code>{name}</code>" in guide, name
            response = client.get(url, {**params, name: params.get(name, "1")})
            assert response.status_code != 400 or (
                response.json()["error"]["code"] != "unknown_parameter"
            ), (template, name)


def test_known_parameters_still_work(client: Client) -> None:
    response = client.get(
        "/api/v1/municipalities",
        {"pref": "30", "page": "1", "page_size": "2", "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().count("\n") == 3
    response = client.get(
        "/api/v1/scores.csv",
        {**RUN, "municipality": ["302015", "302023"], "page": "1", "page_size": "5"},
    )
    assert response.status_code == 200
    assert response.content.decode().count("\n") == 49
    same = client.get(
        "/api/v1/scores.csv", {**RUN, "municipality": "302015,302023", "format": "csv"}
    )
    assert same["ETag"] == response["ETag"]


def test_missing_run_is_404_with_a_hint(client: Client) -> None:
    response = client.get("/api/v1/scores", {"fiscal_year": "2030", "survey_type": "national"})
    assert response.status_code == 404
    assert "/api/v1/runs" in response.json()["error"]["message"]


def test_pagination_never_splits_a_municipality(client: Client) -> None:
    body = client.get("/api/v1/scores", {**RUN, "page_size": "3", "page": "2"}).json()
    assert body["meta"]["pages"] == 2
    assert {r["lg_code"] for r in body["data"]} == {"302082"}
    assert len(body["data"]) == 24
    assert body["links"]["next"] is None
    assert "page=1" in body["links"]["prev"]


def test_csv_suffix_and_unknown_codes(client: Client) -> None:
    response = client.get("/api/v1/scores.csv", {**RUN, "municipality": "302015,011002"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().count("\n") == 25
    meta = client.get("/api/v1/scores", {**RUN, "municipality": "302015,011002"}).json()["meta"]
    assert meta["not_found"] == ["011002"]


def test_api_guide_page_is_public(client: Client) -> None:
    response = client.get(reverse("opendata:guide"))
    assert response.status_code == 200
    assert "順位付けはしません" in response.content.decode()
    assert json.loads(client.get("/api/v1/").content)["openapi"].endswith("openapi.json")


def test_api_guide_page_marks_no_section_and_has_breadcrumbs(client: Client) -> None:
    html = client.get(reverse("opendata:guide")).content.decode()
    dashboard_link = f'<a href="{reverse("dashboard:index")}" aria-current="page">'
    assert dashboard_link not in html
    assert 'class="breadcrumbs' in html
    assert f'<a href="{reverse("core:home")}">トップ</a>' in html
    assert '<li aria-current="page">オープンデータAPI</li>' in html


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_VALUES = {
    "fiscal_year": st.one_of(_text, st.integers(-5, 3000).map(str)),
    "survey_type": st.one_of(_text, st.sampled_from(["national", "individual"])),
    "municipality": st.one_of(_text, st.sampled_from(["302015", "302023,302031", "000000"])),
    "page": st.one_of(_text, st.integers(-2, 20).map(str)),
    "page_size": st.one_of(_text, st.integers(-2, 3000).map(str)),
    "format": st.sampled_from(["json", "csv", "", "x"]),
    "pref": st.one_of(_text, st.integers(-1, 60).map(lambda n: f"{n:02d}")),
}
_PATHS = [
    "/api/v1/scores",
    "/api/v1/overall",
    "/api/v1/profile",
    "/api/v1/item-scores",
    "/api/v1/kpi-scores",
    "/api/v1/municipalities",
    "/api/v1/catalog/fy2023/items",
    "/api/v1/runs.csv",
]


def _documented(path: str) -> list[str]:
    template = path.replace("fy2023", "{version}").removesuffix(".csv")
    operation = openapi_document()["paths"][template]["get"]
    return [p["name"] for p in operation["parameters"] if p["in"] == "query"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), path=st.sampled_from(_PATHS), extra=st.one_of(st.none(), _text))
def test_fuzzed_parameters_never_give_a_server_error(
    client: Client, data: st.DataObject, path: str, extra: str | None
) -> None:
    """Any values for the documented parameters, perhaps one undocumented parameter besides."""
    documented = _documented(path)
    names = data.draw(st.lists(st.sampled_from(documented), unique=True))
    params = {name: data.draw(_VALUES[name], label=name) for name in names}
    if extra and extra not in documented:
        params[extra] = "1"
    response = client.get(path, params)
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert extra not in params
        return
    error = response.json()["error"]
    assert error["message"]
    if extra in params:
        assert (response.status_code, error["code"], error["field"]) == (
            400,
            "unknown_parameter",
            extra[:100],
        )
    else:
        assert error["code"] == (
            "invalid_parameter" if response.status_code == 400 else "not_found"
        )
