"""Column ids of the standard questionnaire (標準調査票) as stored in each response row.

Ids follow the indicator catalog: category items ``c01_1`` … ``c24_1`` (category number, then
the item's position in that category, in indicator-spec §2 order) and the overall questions
``q1`` … ``q5``. One column per question keeps a national recompute a single GROUP BY.
"""

from __future__ import annotations

#: Number of survey items in each of the 24 categories, in catalog order (indicator-spec §1).
ITEMS_PER_CATEGORY: tuple[int, ...] = (
    2, 2, 3, 1, 1, 2, 2, 2, 2, 2, 1, 2, 1, 2, 1, 1,  # 生活環境
    5, 5,  # 地域の人間関係
    1, 2, 2, 1, 2, 1,  # 自分らしい生き方
)  # fmt: skip

CATEGORY_ITEM_COLUMNS: tuple[str, ...] = tuple(
    f"c{category:02d}_{position}"
    for category, count in enumerate(ITEMS_PER_CATEGORY, start=1)
    for position in range(1, count + 1)
)
OVERALL_COLUMNS: tuple[str, ...] = ("q1", "q2", "q3", "q4", "q5")
STANDARD_COLUMNS: tuple[str, ...] = CATEGORY_ITEM_COLUMNS + OVERALL_COLUMNS

assert len(CATEGORY_ITEM_COLUMNS) == 46  # noqa: S101 - the standard questionnaire's size
