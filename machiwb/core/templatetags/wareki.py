"""Template filters: ``{{ 2024|fiscal_year }}`` → 2024年度（令和6年度）, ``{{ day|wareki }}``."""

from __future__ import annotations

import datetime

from django import template

from machiwb.core import wareki as wareki_module

register = template.Library()


@register.filter
def fiscal_year(value: int) -> str:
    return wareki_module.fiscal_year_label(int(value))


@register.filter
def wareki(value: datetime.date) -> str:
    return wareki_module.wareki_date(value)
