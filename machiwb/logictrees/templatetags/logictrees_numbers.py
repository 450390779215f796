"""``{{ value|kpi_number:unit }}``: a KPI's number as ``machiwb.logictrees.numbers`` writes it."""

from __future__ import annotations

from django import template

from machiwb.logictrees import numbers

register = template.Library()


@register.filter
def kpi_number(value: float | None, unit: str = "") -> str:
    return numbers.kpi_number(value, unit)
