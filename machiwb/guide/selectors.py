"""Reads of the guide (利用ガイド): the indicator catalog as the guide pages show it.

Everything shown about categories, items and KPIs comes from the indicators app's catalog,
so the guide never disagrees with the scoring engine.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from machiwb.core.wareki import fiscal_year_of
from machiwb.guide.markdown import markdown_to_safe_html
from machiwb.guide.models import FaqEntry
from machiwb.indicators.models import CatalogVersion, Category, FactorGroup, Kpi, SurveyItem
from machiwb.indicators.selectors import catalog_for_fiscal_year


@dataclass(frozen=True)
class GuideCatalog:
    """The catalog version the guide explains, with the fiscal year it is shown for."""

    fiscal_year: int
    version: CatalogVersion
    groups: list[FactorGroup]


def guide_catalog(today: datetime.date | None = None) -> GuideCatalog | None:
    """The catalog in force this fiscal year (今年度の指標カタログ), groups and categories loaded.

    Each category carries ``item_count`` and ``kpi_count`` (scored KPIs only).
    """
    fiscal_year = fiscal_year_of(today or timezone.localdate())
    version = catalog_for_fiscal_year(fiscal_year)
    if version is None:
        return None
    categories = Category.objects.annotate(
        item_count=Count("items", distinct=True),
        kpi_count=Count("kpis", filter=~Q(kpis__direction=0), distinct=True),
    ).order_by("order")
    groups = list(
        FactorGroup.objects.filter(catalog=version)
        .order_by("order")
        .prefetch_related(Prefetch("categories", queryset=categories))
    )
    return GuideCatalog(fiscal_year=fiscal_year, version=version, groups=groups)


@dataclass(frozen=True)
class CategoryGuide:
    """One category with its survey items and objective KPIs (カテゴリーの説明)."""

    category: Category
    items: list[SurveyItem]
    kpis: list[Kpi]
    previous: Category | None
    next: Category | None


def category_guide(version: CatalogVersion, code: str) -> CategoryGuide | None:
    """The category ``code`` (c01 … c24) of a catalog version, or None."""
    categories = list(version.categories.select_related("group").order_by("order"))
    index = next((i for i, c in enumerate(categories) if c.code == code), None)
    if index is None:
        return None
    category = categories[index]
    return CategoryGuide(
        category=category,
        items=list(category.items.order_by("order")),
        kpis=list(category.kpis.order_by("order")),
        previous=categories[index - 1] if index > 0 else None,
        next=categories[index + 1] if index + 1 < len(categories) else None,
    )


@dataclass(frozen=True)
class FaqItem:
    """One FAQ entry in the active language (よくある質問の項目), its answer rendered to safe HTML.

    ``in_japanese`` is true when another language is active but the entry has no translation,
    so the page can mark the Japanese text (lang="ja") and say so.
    """

    question: str
    answer_html: str
    in_japanese: bool


@dataclass(frozen=True)
class FaqTopic:
    """A topic of the FAQ with its matching entries."""

    code: str
    label: str
    entries: list[FaqItem]


def _faq_item(entry: FaqEntry, language: str) -> FaqItem:
    if language == "ja":
        return FaqItem(entry.question, markdown_to_safe_html(entry.answer), in_japanese=False)
    if entry.question_en and entry.answer_en:
        return FaqItem(entry.question_en, markdown_to_safe_html(entry.answer_en), in_japanese=False)
    return FaqItem(entry.question, markdown_to_safe_html(entry.answer), in_japanese=True)


def faq_search(query: str = "", *, language: str = "ja") -> list[FaqTopic]:
    """Published FAQ entries by topic in ``language`` (falling back to Japanese).

    Every word of ``query`` must occur in the question or answer, in Japanese or English.
    """
    entries = FaqEntry.objects.filter(published=True)
    for word in query.replace("\u3000", " ").split():
        entries = entries.filter(
            Q(question__icontains=word)
            | Q(answer__icontains=word)
            | Q(question_en__icontains=word)
            | Q(answer_en__icontains=word)
        )
    topics: dict[str, FaqTopic] = {}
    for entry in entries.order_by("topic", "order", "id"):
        topic = topics.setdefault(entry.topic, FaqTopic(entry.topic, entry.get_topic_display(), []))
        topic.entries.append(_faq_item(entry, language))
    order = [code for code, _label in FaqEntry.Topic.choices]
    return sorted(topics.values(), key=lambda t: order.index(t.code))


@dataclass(frozen=True)
class WorkbookChoice:
    """A municipality, survey type and fiscal year that has current results to download."""

    municipality_code: str
    municipality_name: str
    prefecture_name: str
    fiscal_year: int
    survey_type: str
    survey_type_label: str


def workbook_choices(*, municipality_codes: list[str]) -> list[WorkbookChoice]:
    """(municipality, survey type, fiscal year) with current results for these municipalities.

    Ordered by 団体コード, newest year first — never by a score.
    """
    from machiwb.indicators.compute import ALL
    from machiwb.indicators.models import ScoreCell
    from machiwb.surveys.models import SurveyType

    cells = (
        ScoreCell.objects.filter(
            run__is_current=True, breakdown=ALL, municipality_id__in=municipality_codes
        )
        .select_related("municipality__prefecture", "run")
        .order_by("municipality_id", "-run__fiscal_year", "run__survey_type")
    )
    return [
        WorkbookChoice(
            municipality_code=cell.municipality.code,
            municipality_name=cell.municipality.name,
            prefecture_name=cell.municipality.prefecture.name,
            fiscal_year=cell.run.fiscal_year,
            survey_type=cell.run.survey_type,
            survey_type_label=str(SurveyType(cell.run.survey_type).label),
        )
        for cell in cells
    ]
