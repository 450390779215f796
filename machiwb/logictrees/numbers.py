"""How a KPI's number is written (基準値・現在値・目標値): the one place for it.

Thousands separators, no trailing zeros, at most two decimals (one from 100 on, none from
10,000 on; 偏差値 always one), and the unit: a unit of measure follows the number
(``12.5%``, ``1,234千円/人``), a scale or 偏差値 follows in brackets (``3.25（1–5）``).
The unit is the one in the page's language; in English a unit other than % follows after a
space and brackets are ASCII (``1,234 thousand yen/person``, ``52.3 (deviation score)``).
"""

from __future__ import annotations

from machiwb.core.language import english_active

DEVIATION_SCORE_EN = "deviation score"
#: Units that say what kind of number it is rather than what it counts.
BRACKETED_UNITS = frozenset({"偏差値", DEVIATION_SCORE_EN})
#: Units written straight after the number in English too.
UNSPACED_UNITS = frozenset({"%"})


def _decimals(value: float, unit: str) -> int:
    if unit in BRACKETED_UNITS:
        return 1
    size = abs(value)
    return 0 if size >= 10_000 else 1 if size >= 100 else 2


def _is_scale(unit: str) -> bool:
    """A range such as ``1–5`` or ``0/1`` (the answer scale, not a unit)."""
    return bool(unit) and unit[0].isdigit()


def kpi_number(value: float | None, unit: str = "") -> str:
    """``value`` for people: ``"—"`` when there is none."""
    if value is None:
        return "—"
    text = f"{value:,.{_decimals(value, unit)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if not unit:
        return text
    english = english_active()
    if unit in BRACKETED_UNITS or _is_scale(unit):
        return f"{text} ({unit})" if english else f"{text}（{unit}）"
    if english and unit not in UNSPACED_UNITS:
        return f"{text} {unit}"
    return f"{text}{unit}"
