"""English pages hold no Japanese interface text.

The site is crawled like the closed-network test (every URL pattern without parameters, then
the same-site links found, a few pages per pattern, with the demo data loaded) signed out, as
municipal staff and as an operator, with the English language cookie. Every text node and
every shown attribute containing kana, kanji or full-width punctuation is checked: what is
left once the data values from the database and the shipped reference trees are taken out
must be on the allowlist below, each entry with its reason.

The admin (/admin/) is not crawled: its permission names are stored by Django in the language
of the migration, and its pages show the records as they are.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client

from machiwb.accounts.models import Role, User
from machiwb.accounts.testing import login_staff, make_staff
from machiwb.audit.models import AuditEntry
from machiwb.guide.tests.test_closed_network import SKIP_PREFIXES, crawl_pages
from machiwb.logictrees.reference import reference_trees

#: Kana, kanji and full-width punctuation (（）：／ …).
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
#: Attributes a reader sees or hears.
SHOWN_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt", "label"})

#: Japanese left on English pages on purpose, with the reason.
ALLOWED: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^e\.g\. [^A-Za-z]+$"),
        "search placeholders show what Japanese input looks like (和歌山, かいなん)",
    ),
)


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value and JAPANESE.search(value):
                self.found.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and JAPANESE.search(data):
            self.found.append(" ".join(data.split()))


def _data_values() -> re.Pattern[str]:
    """Every Japanese text stored in the project's tables or shipped as a reference tree."""
    values: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("machiwb."):
            continue
        for model in config.get_models():
            fields = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField)
            ]
            for row in model._default_manager.values_list(*fields):
                values.update(v for v in row if isinstance(v, str) and JAPANESE.search(v))
    for tree in reference_trees():
        document = tree.document
        values.update([document.title, document.description])
        values.update(n.label for n in document.nodes)
    words = sorted((" ".join(v.split()) for v in values if v.strip()), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


class _Data:
    """The data values, read again when the crawl itself added audit entries (an export)."""

    def __init__(self) -> None:
        self._count = -1
        self._pattern = re.compile("")

    def pattern(self) -> re.Pattern[str]:
        count = AuditEntry.objects.count()
        if count != self._count:
            self._count, self._pattern = count, _data_values()
        return self._pattern


def _crawl(client: Client, data: _Data) -> dict[str, str]:
    """Japanese interface text found, with the first page it is on."""
    found: dict[str, str] = {}
    for url, _route, html in crawl_pages(client, (*SKIP_PREFIXES, "/admin/")):
        parser = _Texts()
        parser.feed(html)
        for text in parser.found:
            if not JAPANESE.search(data.pattern().sub("", text)):
                continue
            if any(pattern.search(text) for pattern, _ in ALLOWED):
                continue
            found.setdefault(text, url)
    return found


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_english_pages_have_no_japanese_interface_text() -> None:
    call_command("load_demo", stdout=io.StringIO())
    operator = User.objects.create_superuser(
        "operator@example.jp", "english-pages-test-42", is_operator=True
    )
    operator_client = Client()
    login_staff(operator_client, operator)
    staff_client = Client()
    login_staff(staff_client, make_staff(municipality="302015", role=Role.ADMIN))
    data = _Data()

    found: dict[str, str] = {}
    for client in (Client(), staff_client, operator_client):
        for text, url in _crawl(_english(client), data).items():
            found.setdefault(text, url)

    assert not found, "\n".join(f"{url}: {text}" for text, url in sorted(found.items()))
