"""Known-answer tests of the analysis maths; every expected value is derived by hand in a comment."""

from __future__ import annotations

import math
import random

import pytest

from machiwb.analysis.compute import (
    MINIMUM_PAIRS,
    CategoryImportance,
    CategoryInput,
    Caveat,
    Correlation,
    ImportanceResult,
    MunicipalityFeatures,
    Quadrant,
    assess,
    average_ranks,
    correlation,
    fisher_interval,
    gap,
    importance,
    pearson_r,
    peer_comparison,
    respondent_category_scores,
    ridge_fit,
    similar_municipalities,
)


def test_category_scores_average_answered_items_and_reverse_code() -> None:
    # categories of 2 and 1 items; item 1 (0-based) is 【逆】, so 2 counts as 6 − 2 = 4
    scores = respondent_category_scores(
        [[5, 2, 3], [None, None, 4], [None, 1, None]],
        items_per_category=(2, 1),
        reversed_items={1},
    )
    assert scores == [[4.5, 3.0], [None, 4.0], [5.0, None]]


def test_category_scores_reject_a_short_row() -> None:
    with pytest.raises(ValueError, match="respondent 2: 2 item answers, expected 3"):
        respondent_category_scores([[1, 2, 3], [1, 2]], items_per_category=(2, 1))


def test_average_ranks_share_ties() -> None:
    assert average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    assert average_ranks([3, 3, 3]) == [2.0, 2.0, 2.0]


def test_pearson_by_hand() -> None:
    # deviations x: −2 −1 0 1 2, y: −2 0 1 0 1 → Σdxdy = 6, Σdx² = 10, Σdy² = 6 → 6/√60
    assert pearson_r([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) == pytest.approx(6 / math.sqrt(60))
    assert pearson_r([1, 1, 1], [1, 2, 3]) is None


def test_fisher_interval_by_hand() -> None:
    # r = 0.5, n = 28: z = atanh 0.5 = 0.549306, se = 1/√25 = 0.2, ±1.959964·0.2 = ±0.391993
    # → tanh(0.157313) = 0.156028, tanh(0.941299) = 0.735818
    low, high = fisher_interval(0.5, 28)
    assert low == pytest.approx(0.156028, abs=1e-6)
    assert high == pytest.approx(0.735818, abs=1e-6)
    with pytest.raises(ValueError, match="more than 3"):
        fisher_interval(0.5, 3)


def test_spearman_by_hand() -> None:
    # rank differences 0 −1 1 0 0 −1 1 0 −1 1 → Σd² = 6 → ρ = 1 − 6·6/(10·99) = 0.963636
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    y = [1, 3, 2, 4, 5, 7, 6, 8, 10, 9]
    result = correlation(x, y, method="spearman")
    assert result is not None
    assert result.r == pytest.approx(1 - 36 / 990)
    assert result.n == 10
    # the Spearman interval uses the variance factor 1.06 (wider than Pearson's)
    low, high = fisher_interval(result.r, 10, variance_factor=1.06)
    assert (result.low, result.high) == pytest.approx((low, high))
    assert result.excludes_zero


def test_correlation_uses_complete_pairs_and_needs_enough_of_them() -> None:
    x: list[float | None] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None]
    y: list[float | None] = [2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 3]
    result = correlation(x, y)
    assert result is not None
    assert result.n == 10
    assert correlation(x[: MINIMUM_PAIRS - 1], y[: MINIMUM_PAIRS - 1]) is None
    with pytest.raises(ValueError, match="unknown correlation method"):
        correlation(x, y, method="kendall")


def test_interval_that_straddles_zero_is_flagged() -> None:
    assert not Correlation(r=0.1, low=-0.2, high=0.4, n=30).excludes_zero
    assert Correlation(r=-0.5, low=-0.7, high=-0.2, n=30).excludes_zero


def test_ridge_on_an_orthogonal_design_by_hand() -> None:
    # x1, x2 are orthogonal with mean 0 and SD 1; y = 2·x1 + x2 = (3, −1, 1, −3), SD √5.
    # Standardised: x1·y = 8/√5, x2·y = 4/√5, XᵀX = 4I; with α = 1, λ = α·n = 4:
    # β = Xᵀy / (4 + 4) → β1 = 1/√5 = 0.447214, β2 = 0.5/√5 = 0.223607; shares 2/3 and 1/3.
    # Fitted = y/2, so the residual sum of squares is 1 of 4 → R² = 0.75.
    predictors = [[1, 1], [-1, 1], [1, -1], [-1, -1]]
    fit = ridge_fit(predictors, [3, -1, 1, -3], alphas=(1.0,))
    assert fit is not None
    assert fit.coefficients == pytest.approx((1 / math.sqrt(5), 0.5 / math.sqrt(5)))
    assert fit.shares == pytest.approx((200 / 3, 100 / 3))
    assert fit.r_squared == pytest.approx(0.75)
    assert fit.alpha == 1.0
    assert fit.imputed_fraction == 0.0


def test_ridge_imputes_missing_predictors_and_drops_missing_outcomes() -> None:
    predictors: list[list[float | None]] = [[1, 1], [-1, 1], [1, -1], [-1, -1], [None, 1], [1, 1]]
    fit = ridge_fit(predictors, [3, -1, 1, -3, 0, None], alphas=(1.0,))
    assert fit is not None
    assert fit.n == 5
    assert fit.imputed_fraction == pytest.approx(1 / 10)
    assert sum(fit.shares) == pytest.approx(100)


def test_ridge_recovers_the_stronger_driver_and_shares_sum_to_100() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    rows = [[rng.gauss(0, 1) for _ in range(5)] for _ in range(400)]
    outcome = [3 * r[0] + 1 * r[1] + rng.gauss(0, 1) for r in rows]
    fit = ridge_fit(rows, outcome)
    assert fit is not None
    assert sum(fit.shares) == pytest.approx(100)
    assert fit.shares[0] > fit.shares[1] > max(fit.shares[2:])
    # little noise, many rows: cross-validation picks a small penalty
    assert fit.alpha < 0.1


def test_ridge_returns_none_for_a_constant_outcome() -> None:
    assert ridge_fit([[1, 2], [2, 1], [3, 3]], [5, 5, 5]) is None


def test_importance_refuses_too_few_respondents() -> None:
    result = importance([[1.0, 2.0]] * 5, [7, 8, 6, None, 5], outcome="q1", minimum=10)
    assert not result.enough
    assert result.respondents == 4
    assert result.categories == ()
    assert result.ridge is None


def test_importance_computes_every_category() -> None:
    rng = random.Random(3)  # noqa: S311 - reproducible test data
    scores = [[float(rng.randint(1, 5)) for _ in range(3)] for _ in range(150)]
    outcome = [min(10.0, max(0.0, 2 * s[0] + rng.gauss(0, 1))) for s in scores]
    result = importance(scores, outcome, outcome="q1", minimum=100)
    assert result.enough
    assert [c.category for c in result.categories] == [1, 2, 3]
    first = result.categories[0]
    assert first.pearson is not None
    assert first.pearson.excludes_zero
    assert first.share is not None
    assert first.share > 80
    assert first.n == 150


def _result(rs: list[float]) -> ImportanceResult:
    rows = tuple(
        CategoryImportance(
            category=i + 1,
            n=300,
            pearson=Correlation(r=r, low=r - 0.1, high=r + 0.1, n=300),
            spearman=None,
            coefficient=r,
            share=25.0,
        )
        for i, r in enumerate(rs)
    )
    return ImportanceResult("q1", 300, 100, rows, None)


def test_quadrants_split_at_the_median_importance_and_at_50_and_0() -> None:
    # median of r = (0.2 + 0.4) / 2 = 0.3
    result = _result([0.1, 0.2, 0.4, 0.5])
    inputs = [
        CategoryInput(category=1, subjective=40, objective=None, items=2),
        CategoryInput(category=2, subjective=55, objective=58, items=2),
        CategoryInput(category=3, subjective=45, objective=55, items=2),
        CategoryInput(category=4, subjective=60, objective=50, items=2),
    ]
    rows = {a.category: a for a in assess(result, inputs)}
    assert rows[1].performance_quadrant is Quadrant.WATCH
    assert rows[1].gap_quadrant is None
    assert Caveat.NO_OBJECTIVE in rows[1].caveats
    assert (rows[2].performance_quadrant, rows[2].gap_quadrant) == (
        Quadrant.SURPLUS,
        Quadrant.WATCH,
    )
    assert rows[2].gap == -3
    assert (rows[3].performance_quadrant, rows[3].gap_quadrant) == (
        Quadrant.PRIORITY,
        Quadrant.PRIORITY,
    )
    assert rows[3].is_priority
    assert (rows[4].performance_quadrant, rows[4].gap_quadrant) == (
        Quadrant.STRENGTH,
        Quadrant.STRENGTH,
    )
    assert not rows[4].is_priority


def test_an_association_indistinguishable_from_zero_is_never_high_importance() -> None:
    # r = 0.3 is at the median of (0.1, 0.3, 0.5) but its interval (−0.05, 0.6) includes 0
    rows = tuple(
        CategoryImportance(i + 1, 300, Correlation(r, low, r + 0.1, 300), None, r, 30.0)
        for i, (r, low) in enumerate([(0.1, 0.01), (0.3, -0.05), (0.5, 0.4)])
    )
    result = ImportanceResult("q1", 300, 100, rows, None)
    inputs = [CategoryInput(category=c, subjective=40, objective=45, items=2) for c in (1, 2, 3)]
    quadrants = [a.performance_quadrant for a in assess(result, inputs)]
    assert quadrants == [Quadrant.WATCH, Quadrant.WATCH, Quadrant.PRIORITY]


def test_caveats_name_what_makes_a_category_uncertain() -> None:
    base = _result([0.05, 0.3])
    noisy = ImportanceResult(
        "q1",
        120,
        100,
        (
            CategoryImportance(1, 120, Correlation(0.05, -0.13, 0.23, 120), None, -0.02, 5.0),
            base.categories[1],
        ),
        None,
    )
    inputs = [
        CategoryInput(category=1, subjective=50, objective=48, items=1, flag_kpi_fraction=0.6),
        CategoryInput(category=2, subjective=50, objective=48, items=2, flag_kpi_fraction=0.2),
    ]
    first, second = assess(noisy, inputs)
    assert set(first.caveats) == {
        Caveat.SINGLE_ITEM,
        Caveat.SMALL_N,
        Caveat.INTERVAL_INCLUDES_ZERO,
        Caveat.NEGATIVE_COEFFICIENT,
        Caveat.FLAG_KPIS,
    }
    assert second.caveats == ()


def test_too_few_respondents_leaves_every_quadrant_empty() -> None:
    empty = ImportanceResult("q1", 12, 100, (), None)
    (row,) = assess(empty, [CategoryInput(category=1, subjective=40, objective=60, items=2)])
    assert row.performance_quadrant is None
    assert row.gap_quadrant is None
    assert row.gap == -20
    assert not row.is_priority


def test_gap_is_subjective_minus_objective() -> None:
    assert gap(45.5, 50.0) == -4.5
    assert gap(None, 50.0) is None


def test_similar_municipalities_are_the_nearest_returned_in_code_order() -> None:
    target = MunicipalityFeatures("302023", population=48_000, density=500, ageing_rate=0.37)
    candidates = [
        target,
        MunicipalityFeatures("302015", population=356_000, density=1700, ageing_rate=0.30),
        MunicipalityFeatures("302031", population=60_000, density=460, ageing_rate=0.35),
        MunicipalityFeatures("302082", population=61_000, density=270, ageing_rate=0.35),
        MunicipalityFeatures("131016", population=66_000, density=5800, ageing_rate=0.19),
        MunicipalityFeatures("303615", population=3_000, density=30, ageing_rate=0.50),
        MunicipalityFeatures("999999", population=0, density=0, ageing_rate=0.5),
    ]
    chosen = similar_municipalities(target, candidates, count=2)
    assert [s.code for s in chosen] == ["302031", "302082"]
    assert all(s.distance > 0 for s in chosen)
    assert similar_municipalities(target, [target], count=3) == ()


def test_peer_comparison_averages_peers_that_have_a_score() -> None:
    rows = peer_comparison([50.0, None, 40.0], [[60.0, 50.0, None], [40.0, 52.0, None]])
    assert (rows[0].peer_mean, rows[0].peers, rows[0].difference) == (50.0, 2, 0.0)
    assert (rows[1].own, rows[1].peer_mean, rows[1].difference) == (None, 51.0, None)
    assert (rows[2].peer_mean, rows[2].peers) == (None, 0)
