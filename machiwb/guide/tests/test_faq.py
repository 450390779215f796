"""よくある質問: operator-edited Markdown rendered safely, searchable, default entries idempotent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from machiwb.accounts.models import User
from machiwb.accounts.testing import login_staff
from machiwb.guide.faq_defaults import DEFAULT_FAQ
from machiwb.guide.markdown import markdown_to_safe_html
from machiwb.guide.models import FaqEntry
from machiwb.guide.selectors import faq_search
from machiwb.guide.services import faq_defaults_install

pytestmark = pytest.mark.django_db


def test_markdown_keeps_formatting_and_drops_html_images_and_script_links() -> None:
    html = markdown_to_safe_html(
        "**太字** と [RESAS](https://resas.go.jp/)\n\n"
        "<script>alert(1)</script>\n\n"
        "![外部画像](https://tracker.example.com/p.gif)\n\n"
        "[危険](javascript:alert(1))\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<strong>太字</strong>" in html
    assert 'href="https://resas.go.jp/"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "<script" not in html
    assert "<img" not in html
    assert "tracker.example.com" not in html
    assert 'href="javascript' not in html
    assert "<table>" in html


def test_search_requires_every_word_and_hides_unpublished_entries() -> None:
    FaqEntry.objects.create(topic="survey", question="紙の調査票は？", answer="PDFを印刷します。")
    FaqEntry.objects.create(topic="survey", question="締め切りは？", answer="決まりはありません。")
    FaqEntry.objects.create(
        topic="survey", question="非公開の質問", answer="PDFの話", published=False
    )
    assert [e.question for t in faq_search("PDF") for e in t.entries] == ["紙の調査票は？"]
    assert [e.question for t in faq_search("PDF\u3000印刷") for e in t.entries] == [
        "紙の調査票は？"
    ]
    assert faq_search("PDF 締め切り") == []
    assert sum(len(t.entries) for t in faq_search("")) == 2


def test_default_entries_are_added_once() -> None:
    assert faq_defaults_install() == len(DEFAULT_FAQ)
    assert faq_defaults_install() == 0
    assert FaqEntry.objects.count() == len(DEFAULT_FAQ)


def test_faq_page_searches_and_reports_the_count(client: Client) -> None:
    faq_defaults_install()
    html = client.get(reverse("guide:faq"), {"q": "LGWAN"}).content.decode()
    assert "庁内ネットワーク（LGWAN）の中でも使えますか？" in html
    assert "偏差値50は全国平均ですか？" not in html
    assert "「LGWAN」を含む質問：1件" in html
    html = client.get(reverse("guide:faq"), {"q": "存在しない語"}).content.decode()
    assert "すべての質問を見る" in html


def test_english_page_shows_the_english_faq_and_marks_entries_only_in_japanese(
    client: Client,
) -> None:
    faq_defaults_install()
    FaqEntry.objects.create(topic="survey", question="締め切りは？", answer="決まりはありません。")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("guide:faq")).content.decode()
    assert "Can I see a ranking of municipalities?" in html
    assert "市区町村の順位は見られますか？" not in html
    assert '<details lang="ja">' in html
    assert "締め切りは？" in html
    assert "shown in Japanese" in html
    searched = client.get(reverse("guide:faq"), {"q": "ranking"}).content.decode()
    assert "Can I see a ranking of municipalities?" in searched
    assert "shown in Japanese" not in searched
    client.cookies["django_language"] = "ja"
    html = client.get(reverse("guide:faq")).content.decode()
    assert "市区町村の順位は見られますか？" in html
    assert "Can I see a ranking" not in html
    assert '<details lang="ja">' not in html


def test_installing_defaults_again_adds_english_to_entries_without_it() -> None:
    topic, question, answer, question_en, answer_en = DEFAULT_FAQ[0]
    FaqEntry.objects.create(topic=topic, question=question, answer=answer)
    own = DEFAULT_FAQ[1]
    FaqEntry.objects.create(
        topic=own[0], question=own[1], answer=own[2], question_en="Own", answer_en="Own text"
    )
    assert faq_defaults_install() == len(DEFAULT_FAQ) - 2
    first = FaqEntry.objects.get(question=question)
    assert (first.question_en, first.answer_en) == (question_en, answer_en)
    assert FaqEntry.objects.get(question=own[1]).question_en == "Own"


def test_operator_edits_the_faq_in_the_admin() -> None:
    faq_defaults_install()
    operator = User.objects.create_superuser(
        "faq-operator@example.jp", "faq-operator-password", is_operator=True
    )
    client = Client()
    login_staff(client, operator)
    response = client.get(reverse("admin:guide_faqentry_changelist"))
    assert response.status_code == 200
    assert "偏差値50は全国平均ですか？" in response.content.decode()
