"""Authorization matrix (権限の一覧表): every URL × every kind of person.

Each named URL pattern of the project is requested (GET) by seven people: anonymous,
viewer / editor / admin of municipality A (和歌山市 302015), an admin of municipality B
(海南市 302023), a facilitator and an operator — all staff signed in with two factors.
The expected statuses are listed below in that order; ``L`` means "redirected to the login
page". A URL pattern missing from the matrix fails the test, so a new view cannot ship
without its access rule being written down and reviewed.

An app may keep its own rows in ``machiwb/<app>/tests/authz.py``::

    MATRIX = {"surveys:new": "L 404 200 200 404 404 404"}
    KWARGS = {"surveys:new": {"code": "302015"}}   # only where the defaults below don't fit

Object identifiers in the sample URLs do not exist, so object pages answer 404 to every
signed-in person: what the matrix proves there is that sign-in and two factors are
enforced before anything is looked up (an admin of A signed in with a password but no second
factor must be sent to the login page wherever anonymous people are), and that a municipality the person does not
belong to is indistinguishable from one that does not exist.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from machiwb.accounts.middleware import SIGNED_IN_AT_KEY
from machiwb.accounts.models import Role
from machiwb.accounts.testing import login_staff, make_facilitator, make_operator, make_staff

PEOPLE = ("anon", "viewer_a", "editor_a", "admin_a", "staff_b", "facilitator", "operator")
TOWN_A, TOWN_B = "302015", "302023"

#: Sample values for URL parameters, by parameter name.
DEFAULT_KWARGS: dict[str, Any] = {
    "code": TOWN_A,
    "municipality_code": TOWN_A,
    "public_id": uuid.UUID(int=1),
    "survey_id": uuid.UUID(int=1),
    "job_id": uuid.UUID(int=1),
    "token": "x" * 43,
    "uidb64": "MQ",
    "number": 1,
    "fiscal_year": 2025,
    "fmt": "csv",
    "transition": "accept",
    "role": "organiser",
    "question_id": "q1",
    "outcome": "q1",
    "kind": "performance",
    "image_format": "png",
    "name": "radar",
    "dataset": "scores",
    "suffix": "json",
    "version": "fy2023",
    "part": "categories",
    "tree_id": uuid.UUID(int=1),
    "node_id": "n1",
    "reference": "c01",
    "survey_type": "national",
    "upload_id": uuid.UUID(int=1),
}

KWARGS: dict[str, dict[str, Any]] = {
    "dashboard:category": {"code": "c01"},
    "guide:category": {"code": "c01"},
    "regions:prefecture": {"code": "30"},
    "logictrees:shared": {"token": uuid.UUID(int=1)},
    "logictrees:shared_image": {"token": uuid.UUID(int=1), "image_format": "png"},
}

#: Only the admin's front page is listed: every other admin URL goes through the same
#: ``OperatorAdminSite.has_permission``.
SKIP_PREFIXES = ("admin:",)
ALWAYS_CHECKED = ("admin:index",)

MATRIX: dict[str, str] = {
    # accounts
    "accounts:enrol": "L L L L L L L",
    "accounts:enrol_qr": "404 404 404 404 404 404 404",
    "accounts:invitation_accept": "404 404 404 404 404 404 404",
    "accounts:invitation_revoke": "L 405 405 405 405 405 405",
    "accounts:login": "200 200 200 200 200 200 200",
    "accounts:logout": "405 405 405 405 405 405 405",
    "accounts:logout_everywhere": "L 405 405 405 405 405 405",
    "accounts:member_remove": "L 405 405 405 405 405 405",
    "accounts:member_role": "L 405 405 405 405 405 405",
    "accounts:members": "L 404 404 200 404 404 200",
    "accounts:mypage": "L 200 200 200 200 200 200",
    "accounts:operator_accounts": "L 403 403 403 403 403 200",
    "accounts:password_reset": "200 200 200 200 200 200 200",
    "accounts:password_reset_complete": "200 200 200 200 200 200 200",
    "accounts:password_reset_confirm": "200 200 200 200 200 200 200",
    "accounts:password_reset_done": "200 200 200 200 200 200 200",
    "accounts:recovery_codes": "L 405 405 405 405 405 405",
    "accounts:verify": "L L L L L L L",
    # admin
    "admin:index": "302 302 302 302 302 302 200",
    # analysis
    "analysis:chart": "L 404 404 404 404 404 404",
    "analysis:csv": "L 404 404 404 404 404 404",
    "analysis:index": "L 302 302 302 302 200 200",
    "analysis:page": "L 404 404 404 404 404 404",
    "analysis:surveys": "L 200 200 200 404 404 404",
    # audit
    "audit:export": "L 404 404 200 200 404 200",
    "audit:log": "L 404 404 200 200 404 200",
    # core
    "core:healthz": "200 200 200 200 200 200 200",
    "core:home": "200 200 200 200 200 200 200",
    # dashboard
    "dashboard:category": "404 404 404 404 404 404 404",
    "dashboard:chart": "404 404 404 404 404 404 404",
    "dashboard:favorite_add": "405 405 405 405 405 405 405",
    "dashboard:favorite_remove": "405 405 405 405 405 405 405",
    "dashboard:index": "200 200 200 200 200 200 200",
    "dashboard:suggestions": "200 200 200 200 200 200 200",
    # facilitation
    "facilitation:act": "L 405 405 405 405 405 405",
    "facilitation:apply": "L 404 200 200 404 404 404",
    "facilitation:dispatch": "L 404 404 404 404 404 404",
    "facilitation:dispatch_list": "L 200 200 200 200 200 200",
    "facilitation:export": "L 403 403 403 403 403 200",
    "facilitation:index": "200 200 200 200 200 200 200",
    "facilitation:match": "L 403 403 403 403 403 404",
    "facilitation:operator": "L 403 403 403 403 403 200",
    "facilitation:registry": "L 403 403 403 403 403 200",
    "facilitation:registry_edit": "L 403 403 403 403 403 404",
    "facilitation:registry_new": "L 403 403 403 403 403 200",
    "facilitation:report": "L 404 404 404 404 404 404",
    "facilitation:workshop": "L 404 404 404 404 404 404",
    # guide
    "guide:category": "404 404 404 404 404 404 404",
    "guide:entry_template": "200 200 200 200 200 200 200",
    "guide:faq": "200 200 200 200 200 200 200",
    "guide:indicators": "200 200 200 200 200 200 200",
    "guide:individual_survey": "200 200 200 200 200 200 200",
    "guide:questionnaire_pdf": "200 200 200 200 200 200 200",
    "guide:reading_scores": "200 200 200 200 200 200 200",
    "guide:step": "200 200 200 200 200 200 200",
    "guide:using": "200 200 200 200 200 200 200",
    "guide:workbook": "200 200 200 200 200 200 200",
    "guide:workbook_download": "404 404 404 404 404 404 404",
    "guide:workshop": "200 200 200 200 200 200 200",
    # jobs
    "jobs:detail": "L 404 404 404 404 404 404",
    "jobs:list": "L 200 200 200 200 200 200",
    "jobs:operations": "L 403 403 403 403 403 200",
    # logictrees
    "logictrees:compare": "L 404 404 404 404 404 404",
    "logictrees:export": "L 404 404 404 404 404 404",
    "logictrees:index": "L 302 302 302 302 200 200",
    "logictrees:kpi_candidates": "L 403 403 403 403 403 200",
    "logictrees:list": "L 200 200 200 404 404 404",
    "logictrees:node": "L 404 404 404 404 404 404",
    "logictrees:reference": "L 404 404 404 404 404 404",
    "logictrees:shared": "404 404 404 404 404 404 404",
    "logictrees:shared_image": "404 404 404 404 404 404 404",
    "logictrees:tree": "L 404 404 404 404 404 404",
    # opendata
    "opendata:catalog": "200 200 200 200 200 200 200",
    "opendata:catalog_part": "404 404 404 404 404 404 404",
    "opendata:guide": "200 200 200 200 200 200 200",
    "opendata:index": "200 200 200 200 200 200 200",
    "opendata:municipalities": "200 200 200 200 200 200 200",
    "opendata:openapi": "200 200 200 200 200 200 200",
    "opendata:prefectures": "200 200 200 200 200 200 200",
    "opendata:results": "400 400 400 400 400 400 400",
    "opendata:runs": "200 200 200 200 200 200 200",
    # other
    "metrics": "404 404 404 404 404 404 404",
    "readyz": "200 200 200 200 200 200 200",
    "set_language": "302 302 302 302 302 302 302",
    # regions
    "regions:index": "200 200 200 200 200 200 200",
    "regions:municipality": "200 200 200 200 200 200 200",
    "regions:prefecture": "404 404 404 404 404 404 404",
    # surveys
    "surveys:answer": "405 405 405 405 405 405 405",
    "surveys:codes": "405 405 405 405 405 405 405",
    "surveys:count": "L 404 404 404 404 404 404",
    "surveys:detail": "L 404 404 404 404 404 404",
    "surveys:edit": "L 404 404 404 404 404 404",
    "surveys:export": "L 404 404 404 404 404 404",
    "surveys:export_download": "L 404 404 404 404 404 404",
    "surveys:identity_begin": "404 404 404 404 404 404 404",
    "surveys:identity_callback": "400 400 400 400 400 400 400",
    "surveys:letters_download": "L 404 404 404 404 404 404",
    "surveys:list": "L 200 200 200 404 404 404",
    "surveys:national_counts": "L 403 403 403 403 403 404",
    "surveys:national_detail": "L 403 403 403 403 403 404",
    "surveys:national_edit": "L 403 403 403 403 403 404",
    "surveys:national_list": "L 403 403 403 403 403 200",
    "surveys:national_new": "L 403 403 403 403 403 200",
    "surveys:national_preview": "L 403 403 403 403 403 404",
    "surveys:national_preview_frame": "L 403 403 403 403 403 404",
    "surveys:national_transition": "405 405 405 405 405 405 405",
    "surveys:new": "L 404 200 200 404 404 404",
    "surveys:preview": "L 404 404 404 404 404 404",
    "surveys:preview_frame": "L 404 404 404 404 404 404",
    "surveys:question_change": "405 405 405 405 405 405 405",
    "surveys:question_edit": "L 404 404 404 404 404 404",
    "surveys:question_new": "L 404 404 404 404 404 404",
    "surveys:start": "404 404 404 404 404 404 404",
    "surveys:thanks": "404 404 404 404 404 404 404",
    "surveys:transition": "405 405 405 405 405 405 405",
    "surveys:upload": "L 404 404 404 404 404 404",
    "surveys:upload_detail": "L 404 404 404 404 404 404",
}


def _named_patterns(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            prefix = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _named_patterns(pattern.url_patterns, prefix)
        elif pattern.name:
            yield namespace + pattern.name, pattern


def _checked_patterns() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern in _named_patterns(get_resolver().url_patterns)
        if name in ALWAYS_CHECKED or not name.startswith(SKIP_PREFIXES)
    }


def _app_rows() -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    matrix, kwargs = dict(MATRIX), dict(KWARGS)
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tests.authz"
        if config.name.startswith("machiwb.") and importlib.util.find_spec(module_name):
            module = importlib.import_module(module_name)
            matrix.update(getattr(module, "MATRIX", {}))
            kwargs.update(getattr(module, "KWARGS", {}))
    return matrix, kwargs


def test_every_url_pattern_is_in_the_matrix() -> None:
    matrix, _ = _app_rows()
    patterns = set(_checked_patterns())
    missing = sorted(patterns - set(matrix))
    stale = sorted(set(matrix) - patterns)
    assert not missing, f"add these URL names to the authorization matrix: {missing}"
    assert not stale, f"these matrix rows name no URL pattern any more: {stale}"
    for name, row in matrix.items():
        assert len(row.split()) == len(PEOPLE), f"{name}: one status per person {PEOPLE}"


@pytest.mark.django_db
def test_authorization_matrix(regions_loaded: None) -> None:
    matrix, kwargs_by_name = _app_rows()
    people = {
        "viewer_a": make_staff(municipality=TOWN_A, role=Role.VIEWER),
        "editor_a": make_staff(municipality=TOWN_A, role=Role.EDITOR),
        "admin_a": make_staff(municipality=TOWN_A, role=Role.ADMIN),
        "staff_b": make_staff(municipality=TOWN_B, role=Role.ADMIN),
        "facilitator": make_facilitator(),
        "operator": make_operator(),
    }
    clients = {"anon": Client(raise_request_exception=False)}
    for key, user in people.items():
        clients[key] = Client(raise_request_exception=False)
        login_staff(clients[key], user)
    # The admin of A signed in with a password only (no second factor): wherever anonymous
    # people are sent to the login page, so is this session.
    password_only = Client(raise_request_exception=False)
    password_only.force_login(make_staff(municipality=TOWN_A, role=Role.ADMIN))
    session = password_only.session
    session[SIGNED_IN_AT_KEY] = int(time.time())
    session.save()
    login_url = reverse("accounts:login")

    wrong, missing = [], []
    for name, pattern in sorted(_checked_patterns().items()):
        params = list(pattern.pattern.regex.groupindex)
        unknown = [p for p in params if p not in DEFAULT_KWARGS]
        if name not in kwargs_by_name and unknown:
            wrong.append(f"{name}: give sample values for {unknown} in KWARGS")
            continue
        kwargs = kwargs_by_name.get(name) or {p: DEFAULT_KWARGS[p] for p in params}
        url = reverse(name, kwargs=kwargs)
        got = {}
        for person in PEOPLE:
            response = clients[person].get(url)
            status = str(response.status_code)
            if status == "302" and response["Location"].startswith(login_url):
                status = "L"
            got[person] = status
        if got["anon"] == "L":
            response = password_only.get(url)
            if not (response.status_code == 302 and response["Location"].startswith(login_url)):
                wrong.append(f"{name} {url}: reachable without the second factor")
        if name not in matrix:
            missing.append(f'    "{name}": "{" ".join(got[p] for p in PEOPLE)}",')
            continue
        expected = dict(zip(PEOPLE, matrix[name].split(), strict=True))
        wrong.extend(
            f"{name} {url} as {person}: expected {expected[person]}, got {got[person]}"
            for person in PEOPLE
            if got[person] != expected[person]
        )
    report = []
    if missing:
        report.append(
            "URL patterns missing from the authorization matrix. Check that these observed "
            f"statuses are what you intend ({', '.join(PEOPLE)}; L = login page), then add "
            "them to MATRIX in machiwb/<app>/tests/authz.py:"
        )
        report.extend(missing)
    if wrong:
        report.append("authorization matrix differs:")
        report.extend(wrong)
    assert not report, "\n".join(report)
