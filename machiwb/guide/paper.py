"""The standard questionnaire laid out for paper (紙の標準調査票).

Takes the survey definition the answering flow uses (``machiwb.surveys.questionnaire``), so the
paper form asks exactly what the online form asks, and groups consecutive 5-point items into
one answer grid per section. Every question shows its column id (列名) for data entry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from machiwb.core.pdf import pdf_render
from machiwb.core.wareki import fiscal_year_of

QUESTIONNAIRE_TITLE = "地域幸福度（Well-Being）に関するアンケート"


@dataclass
class PaperQuestion:
    number: int
    column: str
    text: str
    kind: str
    options: list[str] = field(default_factory=list)
    low_label: str = ""
    high_label: str = ""
    no_answer_label: str = ""


@dataclass
class PaperBlock:
    """One question, or a grid of consecutive 5-point agreement items."""

    grid: bool
    questions: list[PaperQuestion]


@dataclass
class PaperSection:
    title: str
    blocks: list[PaperBlock]


def paper_sections(definition: dict[str, Any]) -> list[PaperSection]:
    """The definition's pages as numbered paper sections (問1, 問2, …)."""
    by_id = {q["id"]: q for q in definition["questions"]}
    sections: list[PaperSection] = []
    number = 0
    for page in definition["pages"]:
        blocks: list[PaperBlock] = []
        for qid in page["questions"]:
            q = by_id[qid]
            number += 1
            question = PaperQuestion(
                number=number,
                column=q["id"],
                text=q["text"],
                kind=q["kind"],
                options=(
                    [str(v) for v in range(11)]
                    if q["kind"] == "scale11"
                    else [o["label"] for o in q.get("options", [])]
                ),
                low_label=q.get("low_label", ""),
                high_label=q.get("high_label", ""),
                no_answer_label=q.get("no_answer_label", ""),
            )
            if q["kind"] == "agreement5" and blocks and blocks[-1].grid:
                blocks[-1].questions.append(question)
            else:
                blocks.append(PaperBlock(grid=q["kind"] == "agreement5", questions=[question]))
        sections.append(PaperSection(title=page["title"], blocks=blocks))
    return sections


def questionnaire_definition(today: datetime.date | None = None) -> dict[str, Any]:
    """The standard questionnaire in force this fiscal year, as the survey app defines it."""
    from machiwb.surveys.questionnaire import definition_build
    from machiwb.surveys.selectors import survey_catalog, survey_catalog_version_for

    fiscal_year = fiscal_year_of(today or timezone.localdate())
    version = survey_catalog_version_for(fiscal_year=fiscal_year)
    catalog = survey_catalog(catalog_version=version)
    return definition_build(title=QUESTIONNAIRE_TITLE, catalog=catalog)


def questionnaire_pdf(definition: dict[str, Any]) -> bytes:
    """The printable standard questionnaire (A4, Japanese font embedded), cached per catalog."""
    key = f"guide:questionnaire-pdf:{definition['catalog_version']}:{definition['catalog_sha256']}"

    def render() -> bytes:
        context = {
            "definition": definition,
            "sections": paper_sections(definition),
            "agreement_labels": [label for _value, label in definition["agreement_labels"]],
        }
        return pdf_render("guide/questionnaire_pdf.html", context)

    content: bytes | None = cache.get(key)
    if content is None:
        content = render()
        cache.set(key, content, timeout=None)
    return content


def entry_template_xlsx(definition: dict[str, Any]) -> bytes:
    """An empty upload file for paper answers (入力用ひな形): the standard columns in the
    survey-data format (docs/formats/survey-data.md) and the data dictionary beside them."""
    from machiwb.surveys.datafile import DICTIONARY_COLUMNS, columns_of, dictionary_rows, xlsx_bytes

    return xlsx_bytes(
        [
            ("responses", columns_of(definition), []),
            ("dictionary", DICTIONARY_COLUMNS, dictionary_rows(definition)),
        ]
    )
