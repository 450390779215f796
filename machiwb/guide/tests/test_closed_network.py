"""The closed-network guarantee (LGWAN): nothing the site serves reaches another host.

Every URL pattern without parameters is rendered, anonymously and as an operator, and every
same-site link found on those pages is followed (a few pages per URL pattern, with the demo
data loaded), so detail pages are covered too. Template sources (including e-mail templates)
and static CSS are scanned as well, because some pages need data the demo does not have.
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from machiwb.accounts.models import Role, User
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.guide.tests.closed_network import (
    Finding,
    css_findings,
    external_host,
    html_findings,
    text_findings,
)
from machiwb.regions.models import Municipality, Prefecture

#: How many different URLs of one URL pattern the crawl renders.
PAGES_PER_PATTERN = 3
#: Paths never requested: they change state or are not pages.
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/")


def _parameterless_paths(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """Every URL path in the resolver that takes no parameters."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern).lstrip("^").rstrip("$").replace("\\/", "/")
        if "<" in route or any(c in route for c in "()[]?*+|\\"):
            continue
        if isinstance(entry, URLResolver):
            yield from _parameterless_paths(entry.url_patterns, prefix + route)
        else:
            yield "/" + prefix + route


def _same_site_links(html: str) -> Iterator[str]:
    from html.parser import HTMLParser

    links: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                href = dict(attrs).get("href") or ""
                if href.startswith("/") and not href.startswith("//"):
                    links.append(href.split("#")[0])

    Links().feed(html)
    yield from links


def _third_party_admin(path: str) -> bool:
    """Admin pages of third-party apps (django-otp's device pages…) are theirs, not ours."""
    parts = path.strip("/").split("/")
    if parts[0] != "admin" or len(parts) < 2 or not parts[1]:
        return False
    labels = {c.label for c in apps.get_app_configs() if c.name.startswith("machiwb.")}
    return parts[1] in {c.label for c in apps.get_app_configs()} - labels


def _official_website_hosts() -> set[str]:
    hosts = set()
    for model in (Municipality, Prefecture):
        for website in model.objects.exclude(website="").values_list("website", flat=True):
            host = external_host(website)
            if host:
                hosts.add(host)
    return hosts


def crawl_pages(
    client: Client, skip: tuple[str, ...] = SKIP_PREFIXES
) -> Iterator[tuple[str, str, str]]:
    """Every HTML page reachable from the parameterless URLs by same-site links, at most
    PAGES_PER_PATTERN per URL pattern: (url, URL pattern, html)."""
    queue = deque(sorted(set(_parameterless_paths())))
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    while queue:
        url = queue.popleft()
        path = url.split("?")[0]
        if url in seen or path.startswith(skip) or _third_party_admin(path):
            continue
        seen.add(url)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if per_pattern.get(match.route, 0) >= PAGES_PER_PATTERN:
            continue
        per_pattern[match.route] = per_pattern.get(match.route, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode(response.charset or "utf-8")
        yield url, match.route, html
        queue.extend(link for link in _same_site_links(html) if link not in seen)


def _crawl(client: Client, extra_hosts: set[str]) -> tuple[list[Finding], set[str]]:
    findings: list[Finding] = []
    rendered: set[str] = set()
    for url, route, html in crawl_pages(client):
        rendered.add(route)
        findings.extend(html_findings(html, url, extra_hosts))
    return findings, rendered


@pytest.fixture
def demo_site(db: None) -> set[str]:
    call_command("load_demo", stdout=io.StringIO())
    return _official_website_hosts()


def test_no_rendered_page_references_another_host(demo_site: set[str]) -> None:
    anonymous_findings, anonymous_rendered = _crawl(Client(), demo_site)

    operator = User.objects.create_superuser(
        "operator@example.jp", "closed-network-test", is_operator=True
    )
    operator_client = Client()
    login_staff(operator_client, operator)
    staff_findings, staff_rendered = _crawl(operator_client, demo_site)
    municipal_client = Client()
    login_staff(municipal_client, make_staff(municipality="302015", role=Role.ADMIN))
    municipal_findings, _ = _crawl(municipal_client, demo_site)
    staff_findings += municipal_findings

    assert not anonymous_findings + staff_findings, "\n".join(
        str(f) for f in anonymous_findings + staff_findings
    )
    # the crawl really renders the site: the home page, the region browser and detail pages
    assert {"", "regions/", "regions/<str:code>/"} <= anonymous_rendered
    assert "admin/" in staff_rendered


def _project_template_files() -> Iterator[Path]:
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("machiwb."):
            continue
        template_dir = Path(app_config.path) / "templates"
        if template_dir.is_dir():
            yield from (p for p in template_dir.rglob("*") if p.suffix in {".html", ".txt"})


def test_no_template_or_e_mail_references_another_host() -> None:
    """Templates are scanned as source, so pages the crawl cannot reach are covered too."""
    findings: list[Finding] = []
    files = list(_project_template_files())
    for template in files:
        source = template.read_text(encoding="utf-8")
        where = str(template)
        findings.extend(html_findings(source, where))
        if template.suffix == ".txt":
            findings.extend(text_findings(source, where))
    # a plain link to a municipality's own site comes from the master data, never from a template
    assert not findings, "\n".join(str(f) for f in findings)
    assert any(p.name == "base.html" for p in files)


def test_no_stylesheet_imports_fonts_or_images_from_another_host() -> None:
    findings: list[Finding] = []
    stylesheets = 0
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if path.endswith(".css"):
                stylesheets += 1
                with storage.open(path) as handle:
                    findings.extend(css_findings(handle.read().decode("utf-8"), path))
    assert not findings, "\n".join(str(f) for f in findings)
    assert stylesheets >= 2


#: Modules that open connections to other hosts. Background jobs and views must not use them:
#: inside a closed network they would hang or fail (mail goes through Django's backend).
_NETWORK_CLIENTS = re.compile(
    r"^\s*(?:import|from)\s+(urllib\.request|urllib3|http\.client|requests|httpx|aiohttp|socket)\b",
    re.MULTILINE,
)
#: Modules allowed to, each with the reason: a connection only the operator switches on.
_NETWORK_ALLOWED = {
    # the OpenID Connect identity check, offered only when MACHIWB_OIDC_* name a provider
    "machiwb/surveys/identity.py": "requests",
}


def test_no_application_code_opens_connections_to_other_hosts() -> None:
    root = Path(apps.get_app_config("guide").path).parent
    sources = [
        p for p in root.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    offenders = [
        f"{path.relative_to(root.parent)}: {match.group(0).strip()}"
        for path in sources
        for match in _NETWORK_CLIENTS.finditer(path.read_text(encoding="utf-8"))
        if _NETWORK_ALLOWED.get(str(path.relative_to(root.parent))) != match.group(1)
    ]
    assert not offenders, "\n".join(offenders)
    assert len(sources) > 50
    assert _NETWORK_CLIENTS.search("from urllib.request import urlopen")
    assert not _NETWORK_CLIENTS.search("from urllib.parse import urlsplit")
