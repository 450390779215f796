"""Plain-Japanese labels for quadrants and caveats of the analysis page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from machiwb.analysis.compute import Caveat, Quadrant

register = template.Library()

QUADRANT_LABELS = {
    Quadrant.PRIORITY: _("重点課題"),
    Quadrant.STRENGTH: _("強みの維持"),
    Quadrant.WATCH: _("経過観察"),
    Quadrant.SURPLUS: _("現状維持"),
}

CAVEAT_TEXTS = {
    Caveat.SINGLE_ITEM: _(
        "設問が1問だけのカテゴリーです。1問の回答はぶれが大きく、数値は目安です。"
    ),
    Caveat.SMALL_N: _(
        "このカテゴリーに回答した人が少なく、相関係数が標本によって大きく変わりえます。"
    ),
    Caveat.INTERVAL_INCLUDES_ZERO: _(
        "相関の95%信頼区間が0をまたいでおり、関係があるとは言い切れません。"
    ),
    Caveat.NEGATIVE_COEFFICIENT: _(
        "回帰係数が負です。他のカテゴリーと重なる部分が大きく、単独の効果とは読めません。"
    ),
    Caveat.FLAG_KPIS: _(
        "客観指標の半分以上が「有無（0/1）」型で、客観偏差値とギャップが少数の値の間で大きく動きます。"
    ),
    Caveat.NO_OBJECTIVE: _("客観偏差値がないため、ギャップは計算していません。"),
}


@register.filter
def quadrant_label(value: str | None) -> str:
    return str(QUADRANT_LABELS[Quadrant(value)]) if value else "—"


@register.filter
def caveat_text(value: str) -> str:
    return str(CAVEAT_TEXTS[Caveat(value)])


@register.filter
def decimals(value: float | None, digits: int = 2) -> str:
    """A number with fixed decimals and a true minus sign; "—" for none."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace("-", "−")


@register.filter
def magnitude(value: float | None) -> str:
    """The size of a difference without its sign, one decimal ("下回る" already says which way)."""
    return "—" if value is None else f"{abs(value):.1f}"
