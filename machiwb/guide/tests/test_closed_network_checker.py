"""The closed-network checker itself finds what it must and lets plain links through."""

from __future__ import annotations

import pytest

from machiwb.guide.tests.closed_network import css_findings, html_findings, text_findings


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.com/htmx.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Noto+Sans+JP">',
        '<link rel="preconnect" href="//fonts.gstatic.com">',
        '<img src="http://tile.openstreetmap.org/1/1/1.png" alt="">',
        '<img srcset="/a.png 1x, https://cdn.example.com/a@2x.png 2x" alt="">',
        '<form action="https://forms.example.com/submit"></form>',
        '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        '<div style="background: url(https://cdn.example.com/bg.png)"></div>',
        "<style>@import url('https://fonts.googleapis.com/css2');</style>",
        '<style>@import "//cdn.example.com/x.css";</style>',
        '<meta http-equiv="refresh" content="0; url=https://example.com/">',
        '<a href="https://example.com/">外部</a>',
        "<script>fetch('/x')</script>",
        '<button onclick="go()">押す</button>',
        '<a href="javascript:void(0)">x</a>',
    ],
)
def test_external_resources_links_and_inline_scripts_are_found(html: str) -> None:
    assert len(html_findings(html, "page")) == 1


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://resas.go.jp/">RESAS</a>',
        '<a href="https://well-being.digital.go.jp/">デジタル庁</a>',
        '<a href="https://www.city.example.lg.jp/">市のサイト</a>',
        '<script src="/static/core/vendor/htmx.min.js"></script>',
        '<img src="data:image/png;base64,AAAA" alt="">',
        '<link rel="stylesheet" href="/static/core/css/site.css">',
        '<a href="http://testserver/regions/">地域</a>',
        '<script type="application/json" id="d">{"a": 1}</script>',
        '<img src="{{ chart_url }}" alt="">',
    ],
)
def test_plain_government_links_and_own_resources_are_allowed(html: str) -> None:
    assert html_findings(html, "page") == []


def test_a_municipality_website_from_the_master_data_is_an_allowed_plain_link() -> None:
    html = '<a href="http://www.town.yura.wakayama.jp/">由良町</a>'
    assert len(html_findings(html, "page")) == 1
    assert html_findings(html, "page", {"www.town.yura.wakayama.jp"}) == []


def test_css_and_e_mail_text() -> None:
    assert len(css_findings("body{background:url('https://x.example/a.png')}", "s.css")) == 1
    assert css_findings("body{background:url('../img/a.png')}", "s.css") == []
    body = "回答はこちら https://www.digital.go.jp/ から。追跡 https://track.example.com/p.gif"
    assert [f.value for f in text_findings(body, "mail.txt")] == ["https://track.example.com/p.gif"]
