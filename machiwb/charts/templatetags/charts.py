"""Template filters for chart tables: numbers with one decimal, "—" for missing values."""

from __future__ import annotations

from django import template

from machiwb.charts.tables import Cell, format_value

register = template.Library()


@register.filter
def chart_value(value: Cell) -> str:
    return format_value(value)
