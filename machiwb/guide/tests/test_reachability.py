"""Every public page can be reached by following links from the home page (top navigation,
footer, and the pages they lead to), so a phone user never needs to type a URL."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from machiwb.guide.tests.test_closed_network import _parameterless_paths, _same_site_links

pytestmark = pytest.mark.django_db

#: Pages that are steps of a flow or fragments, reached only from a form or a script.
NOT_NAVIGATION = (
    "/accounts/password-reset/sent/",  # shown after the reset form is sent
    "/accounts/password-reset/complete/",  # shown after a new password is set
    "/dashboard/suggestions/",  # type-ahead fragment of the dashboard's search field
)


def test_every_public_page_is_reachable_from_the_home_page() -> None:
    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    public = []
    for path in sorted(set(_parameterless_paths())):
        if path.startswith(("/admin/", "/i18n/", "/static/")) or path in NOT_NAVIGATION:
            continue
        response = client.get(path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            public.append(path)

    reached: set[str] = set()
    queue: list[str] = ["/"]
    seen: set[str] = set()
    while queue and len(seen) < 400:
        url = queue.pop(0)
        path = url.split("?")[0]
        if url in seen or path in reached or path.startswith(("/static/", "/i18n/")):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reached.add(path)
        queue.extend(_same_site_links(response.content.decode()))

    assert "/guide/faq/" in public
    assert [p for p in public if p not in reached] == []
