"""The printable standard questionnaire: every standard question, Japanese font embedded."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from machiwb.core.pdf import ExternalResourceError, _static_only_fetcher
from machiwb.guide.paper import paper_sections, questionnaire_definition
from machiwb.surveys.standard_columns import STANDARD_COLUMNS

pytestmark = pytest.mark.django_db


def test_paper_sections_number_every_question_and_group_agreement_items() -> None:
    definition = questionnaire_definition()
    sections = paper_sections(definition)
    questions = [q for s in sections for b in s.blocks for q in b.questions]
    assert [q.number for q in questions] == list(range(1, len(questions) + 1))
    assert set(STANDARD_COLUMNS) <= {q.column for q in questions}
    grids = [b for s in sections for b in s.blocks if b.grid]
    assert all(q.kind == "agreement5" for b in grids for q in b.questions)
    assert any(len(b.questions) > 1 for b in grids)


def test_questionnaire_pdf_downloads_with_embedded_japanese_font(client: Client) -> None:
    response = client.get(reverse("guide:questionnaire_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "現在、あなたはどの程度幸せですか" in text
    assert "c24_1" in text
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():  # type: ignore[index]
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font["/BaseFont"]), embedded))
    assert any("CJK-JP" in name for name, _ in fonts)
    assert all(embedded for _, embedded in fonts)


def test_individual_survey_page_links_the_pdf(client: Client) -> None:
    html = client.get(reverse("guide:individual_survey")).content.decode()
    assert reverse("guide:questionnaire_pdf") in html


def test_pdf_renderer_serves_only_static_files_and_data_urls() -> None:
    fetcher = _static_only_fetcher()
    assert b".toc" in fetcher.fetch("http://pdf.invalid/static/guide/guide.css").read()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    with pytest.raises(ExternalResourceError):
        fetcher.fetch("https://fonts.googleapis.com/css2?family=Noto+Sans+JP")
    with pytest.raises(ExternalResourceError):
        fetcher.fetch("http://pdf.invalid/etc/passwd")


def test_entry_template_has_the_upload_columns_and_the_dictionary(client: Client) -> None:
    from openpyxl import load_workbook

    html = client.get(reverse("guide:individual_survey")).content.decode()
    assert reverse("guide:entry_template") in html
    response = client.get(reverse("guide:entry_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["responses", "dictionary"]
    header = [c.value for c in next(book["responses"].iter_rows(max_row=1))]
    assert header[:5] == ["municipality_code", "area", "answered_on", "age_band", "gender"]
    assert set(STANDARD_COLUMNS) <= set(header)
    assert book["responses"].max_row == 1
    dictionary = {row[0]: row for row in book["dictionary"].iter_rows(min_row=2, values_only=True)}
    assert "逆転項目" in str(dictionary["c03_2"][6])
