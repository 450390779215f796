"""Reads of the indicators app (指標): catalog versions and scores.

The functions here are the contract the dashboard, API and analysis code against; their
signatures stay stable. Nothing here orders municipalities by a score.
"""

from __future__ import annotations

from django.db.models import Q

from machiwb.indicators.models import CatalogVersion


def catalog_for_fiscal_year(fiscal_year: int) -> CatalogVersion | None:
    """The catalog version (調査票の版) in force for a fiscal year (年度), or None."""
    return (
        CatalogVersion.objects.filter(first_fiscal_year__lte=fiscal_year)
        .filter(Q(last_fiscal_year__isnull=True) | Q(last_fiscal_year__gte=fiscal_year))
        .order_by("-first_fiscal_year")
        .first()
    )
