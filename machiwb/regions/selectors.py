"""Reads of the regional master data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from machiwb.regions.models import Municipality, MunicipalityKind, Prefecture
from machiwb.regions.sources import katakana_to_hiragana, to_fullwidth_katakana


@dataclass(frozen=True)
class RegionSummary:
    prefectures: int
    municipalities: int
    wards: int


def region_summary() -> RegionSummary:
    """Counts shown on the top page: prefectures, 市区町村 and wards currently valid."""
    counts = Municipality.objects.filter(
        valid_to__isnull=True, is_northern_territories=False
    ).aggregate(
        wards=Count("code", filter=Q(kind=MunicipalityKind.DESIGNATED_WARD)),
        municipalities=Count("code", filter=~Q(kind=MunicipalityKind.DESIGNATED_WARD)),
    )
    return RegionSummary(
        prefectures=Prefecture.objects.count(),
        municipalities=counts["municipalities"],
        wards=counts["wards"],
    )


def prefecture_list() -> QuerySet[Prefecture]:
    return Prefecture.objects.annotate(
        municipality_count=Count(
            "municipalities",
            filter=Q(municipalities__valid_to__isnull=True)
            & ~Q(municipalities__kind=MunicipalityKind.DESIGNATED_WARD),
        )
    ).order_by("pref_code")


def municipality_list(*, prefecture: Prefecture) -> QuerySet[Municipality]:
    """A prefecture's current 市区町村 in code order (the official order), wards included."""
    return (
        Municipality.objects.filter(prefecture=prefecture, valid_to__isnull=True)
        .select_related("parent")
        .order_by("code")
    )


def normalize_query(query: str) -> str:
    """Make kanji, full/half-width kana and hiragana queries comparable."""
    return katakana_to_hiragana(to_fullwidth_katakana(query.strip()))


def municipality_search(*, query: str, limit: int = 50) -> list[Municipality]:
    """Search current municipalities by kanji name or reading (kana or hiragana).

    Results are in official code order (north to south), never by any score.
    """
    normalized = normalize_query(query)
    if not normalized:
        return []
    return list(
        Municipality.objects.filter(valid_to__isnull=True)
        .filter(Q(name__contains=query.strip()) | Q(name_hiragana__contains=normalized))
        .select_related("prefecture", "parent")
        .order_by("code")[:limit]
    )
