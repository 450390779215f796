"""Benchmark of the priority-area analysis maths: ``python -m bench.analysis``.

Times, in the same run and on the same machine (best of 3), for 400, 5,000 and 50,000
generated respondents (machiwb.analysis.demo's model, 46 items, 24 categories):

* the whole analysis of one outcome: respondent category scores, Pearson and Spearman
  correlations with Fisher-z intervals for 24 categories, and the ridge regression with
  generalised cross-validation over 25 penalties;
* a baseline: numpy's correlation matrix of the same (complete) 25 columns, the bare cost of
  touching the numbers once.

No database is used. Last line: ``n=… analysis_seconds=… baseline_seconds=…`` per size.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

REPEAT = 3
SIZES = (400, 5_000, 50_000)


def _best(function: Callable[[], Any]) -> float:
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    import numpy as np

    from machiwb.analysis import compute
    from machiwb.analysis.demo import generated_answers
    from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, ITEMS_PER_CATEGORY

    results = []
    for n in SIZES:
        rows = generated_answers(count=n, seed=n)
        answers = [[row[c] for c in CATEGORY_ITEM_COLUMNS] for row in rows]
        outcome: list[float | None] = [
            float(v) if (v := row["q1"]) is not None else None for row in rows
        ]

        def analysis(
            answers: list[list[int | None]] = answers, outcome: list[float | None] = outcome
        ) -> None:
            scores = compute.respondent_category_scores(
                answers,
                items_per_category=ITEMS_PER_CATEGORY,
                reversed_items={3},  # 【逆】 c03_2
            )
            compute.importance(scores, outcome, outcome="q1")

        scores = compute.respondent_category_scores(answers, items_per_category=ITEMS_PER_CATEGORY)
        matrix = np.array(
            [
                [np.nan if v is None else v for v in [*s, y]]
                for s, y in zip(scores, outcome, strict=True)
            ],
            dtype=float,
        )
        complete = matrix[~np.isnan(matrix).any(axis=1)]

        def baseline_run(complete: Any = complete) -> None:
            np.corrcoef(complete, rowvar=False)

        seconds = _best(analysis)
        baseline = _best(baseline_run)
        results.append((n, seconds, baseline))
        print(f"{n:>6} respondents: analysis {seconds:.3f} s, baseline {baseline:.4f} s")
    print(
        " ".join(f"n={n} analysis_seconds={s:.3f} baseline_seconds={b:.4f}" for n, s, b in results)
    )


if __name__ == "__main__":
    main()
