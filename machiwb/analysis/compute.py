"""Priority-area analysis maths (課題分野の特定): plain data in, frozen dataclasses out, no ORM.

Every method is explained for non-statisticians in docs/methods.md. In short:

- a respondent's **category score** is the mean of the category items they answered
  (【逆】 items reverse-coded as 6 − x first);
- **importance** of a category for an outcome (幸福度 Q1, 生活満足度 Q4) is measured twice over
  respondents: the correlation (Pearson and Spearman, with a Fisher-z 95 % interval) and a ridge
  regression of the standardised outcome on all standardised category scores at once, whose
  absolute coefficients are shown as shares summing to 100 %;
- **performance** is the municipality's subjective 偏差値, the **gap** is subjective − objective
  偏差値; categories with high importance and low performance (or a negative gap) are priorities;
- **similar municipalities** are the nearest ones by population, density and ageing rate.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

import numpy as np

#: Below this many respondents (with the outcome answered) the page shows no importance figures.
MINIMUM_RESPONDENTS = 100
#: Below this many pairs a single correlation is not computed at all.
MINIMUM_PAIRS = 10
#: Correlations over fewer pairs than this carry the small-n caveat.
SMALL_N = 200
#: Ridge penalties tried, relative to n (generalised cross-validation picks one).
RIDGE_ALPHAS: tuple[float, ...] = tuple(float(a) for a in np.logspace(-4, 2, 25))
#: 偏差値 of the reference mean: performance below it is "low".
REFERENCE_SCORE = 50.0


def _z_quantile(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


# --- respondent-level category scores -------------------------------------------------------


def respondent_category_scores(
    answers: Sequence[Sequence[int | None]],
    *,
    items_per_category: Sequence[int],
    reversed_items: Collection[int] = (),
) -> list[list[float | None]]:
    """Per respondent, the mean of the answered items of each category (回答者別カテゴリー得点).

    ``answers`` holds one row per respondent with the 1–5 item answers in catalog order
    (None = no answer); ``reversed_items`` are 0-based positions of 【逆】 items (scored 6 − x).
    A category none of whose items was answered is None.
    """
    total = sum(items_per_category)
    for line, row in enumerate(answers, start=1):
        if len(row) != total:
            raise ValueError(f"respondent {line}: {len(row)} item answers, expected {total}")
    if not answers:
        return []
    raw = np.array([[np.nan if a is None else a for a in row] for row in answers], dtype=float)
    answered = ~np.isnan(raw)
    for position in reversed_items:
        raw[:, position] = 6 - raw[:, position]
    filled = np.where(answered, raw, 0.0)
    bounds = np.cumsum([0, *items_per_category])
    sums = np.add.reduceat(filled, bounds[:-1], axis=1)
    counts = np.add.reduceat(answered, bounds[:-1], axis=1)
    means = np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
    return [[None if np.isnan(v) else float(v) for v in row] for row in means]


# --- correlation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with its 95 % confidence interval (相関係数と信頼区間)."""

    r: float
    low: float
    high: float
    n: int

    @property
    def excludes_zero(self) -> bool:
        """True when the interval lies wholly on one side of zero."""
        return self.low > 0 or self.high < 0


def _ranks(data: np.ndarray) -> np.ndarray:
    order = np.argsort(data, kind="mergesort")
    ordered = data[order]
    starts = np.concatenate(([True], ordered[1:] != ordered[:-1], [True]))
    edges = np.flatnonzero(starts)
    group = np.cumsum(starts[:-1]) - 1
    mean_rank = (edges[:-1] + edges[1:] - 1) / 2 + 1
    ranks = np.empty(data.size)
    ranks[order] = mean_rank[group]
    return ranks


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1…n, ties sharing the mean of their positions (as Spearman's rho needs)."""
    data = np.asarray(values, dtype=float)
    return [float(r) for r in _ranks(data)] if data.size else []


def _pearson(xa: np.ndarray, ya: np.ndarray) -> float | None:
    # Element-wise sums rather than BLAS dot products: as fast here, and no thread start-up.
    dx, dy = xa - xa.mean(), ya - ya.mean()
    denominator = math.sqrt(float(np.sum(dx * dx)) * float(np.sum(dy * dy)))
    if denominator == 0:
        return None
    return max(-1.0, min(1.0, float(np.sum(dx * dy)) / denominator))


def pearson_r(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r, or None when either variable is constant."""
    return _pearson(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def fisher_interval(
    r: float, n: int, *, level: float = 0.95, variance_factor: float = 1.0
) -> tuple[float, float]:
    """Confidence interval by Fisher's z = atanh(r), standard error sqrt(factor / (n − 3)).

    ``variance_factor`` is 1 for Pearson and 1.06 for Spearman (Fieller, Hartley & Pearson 1957).
    """
    if n <= 3:
        raise ValueError("a Fisher-z interval needs more than 3 pairs")
    if abs(r) >= 1:
        return (r, r)
    half = _z_quantile(level) * math.sqrt(variance_factor / (n - 3))
    z = math.atanh(r)
    return (math.tanh(z - half), math.tanh(z + half))


def _as_array(values: Sequence[float | None]) -> np.ndarray:
    """Values as floats with NaN for a missing one."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _correlation_of(xa: np.ndarray, ya: np.ndarray, method: str) -> Correlation | None:
    if method not in ("pearson", "spearman"):
        raise ValueError(f"unknown correlation method {method!r}")
    both = ~(np.isnan(xa) | np.isnan(ya))
    n = int(both.sum())
    if n < MINIMUM_PAIRS:
        return None
    xs, ys = xa[both], ya[both]
    factor = 1.0
    if method == "spearman":
        xs, ys = _ranks(xs), _ranks(ys)
        factor = 1.06
    r = _pearson(xs, ys)
    if r is None:
        return None
    low, high = fisher_interval(r, n, variance_factor=factor)
    return Correlation(r=r, low=low, high=high, n=n)


def correlation(
    x: Sequence[float | None], y: Sequence[float | None], *, method: str = "pearson"
) -> Correlation | None:
    """Pearson or Spearman correlation over the pairs where both values are present.

    None when there are fewer than ``MINIMUM_PAIRS`` pairs or a variable does not vary.
    """
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    return _correlation_of(_as_array(x), _as_array(y), method)


# --- ridge regression -----------------------------------------------------------------------


@dataclass(frozen=True)
class RidgeFit:
    """Standardised ridge coefficients and their shares of the total (重要度の構成比)."""

    coefficients: tuple[float, ...]
    shares: tuple[float, ...]
    alpha: float
    r_squared: float
    n: int
    imputed_fraction: float


def _standardise(column: np.ndarray) -> np.ndarray:
    sd = column.std()
    return (column - column.mean()) / sd if sd > 0 else np.zeros_like(column)


def ridge_fit(
    predictors: Sequence[Sequence[float | None]],
    outcome: Sequence[float | None],
    *,
    alphas: Sequence[float] = RIDGE_ALPHAS,
) -> RidgeFit | None:
    """Ridge regression of the standardised outcome on standardised predictors.

    Rows without an outcome are dropped; a missing predictor is replaced by that predictor's
    mean (0 after standardising) and the fraction of replaced cells is reported. The penalty is
    λ = α·n with α chosen by generalised cross-validation among ``alphas`` (one value = fixed).
    Shares are |β_j| / Σ|β| × 100. None when fewer than 3 rows remain or the outcome is constant.
    """
    rows = [(p, y) for p, y in zip(predictors, outcome, strict=True) if y is not None]
    n = len(rows)
    if n < 3:
        return None
    width = len(rows[0][0])
    raw = np.array([[np.nan if v is None else v for v in p] for p, _ in rows], dtype=float)
    missing = np.isnan(raw)
    means = np.nanmean(np.where(missing.all(axis=0), 0.0, raw), axis=0)
    filled = np.where(missing, means, raw)
    x = np.column_stack([_standardise(filled[:, j]) for j in range(width)])
    y = _standardise(np.array([y for _, y in rows], dtype=float))
    if not y.any():
        return None
    # One pass over the respondents: everything after works on 24 × 24 matrices.
    gram, xty, yty = x.T @ x, x.T @ y, float(y @ y)
    eigenvalues, vectors = np.linalg.eigh(gram)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    projected = vectors.T @ xty
    best: tuple[float, float, np.ndarray] | None = None
    for alpha in alphas:
        lam = alpha * n
        beta = vectors @ (projected / (eigenvalues + lam))
        rss = yty - 2 * float(beta @ xty) + float(beta @ gram @ beta)
        dof = float(np.sum(eigenvalues / (eigenvalues + lam)))
        gcv = rss * n / (n - dof) ** 2 if n > dof else math.inf
        if best is None or gcv < best[0]:
            best = (gcv, alpha, beta)
    assert best is not None  # noqa: S101 - alphas is never empty
    _, alpha, beta = best
    residual = y - x @ beta
    r_squared = 1 - float(residual @ residual) / float(y @ y)
    total = float(np.abs(beta).sum())
    shares = tuple(float(abs(b)) / total * 100 if total > 0 else 0.0 for b in beta)
    return RidgeFit(
        coefficients=tuple(float(b) for b in beta),
        shares=shares,
        alpha=float(alpha),
        r_squared=r_squared,
        n=n,
        imputed_fraction=float(missing.mean()) if missing.size else 0.0,
    )


# --- importance per category ----------------------------------------------------------------


@dataclass(frozen=True)
class CategoryImportance:
    """How strongly one category goes together with the outcome (重要度)."""

    category: int
    n: int
    pearson: Correlation | None
    spearman: Correlation | None
    coefficient: float | None
    share: float | None


@dataclass(frozen=True)
class ImportanceResult:
    """Importance of the 24 categories for one outcome question, or the reason there is none."""

    outcome: str
    respondents: int
    minimum: int
    categories: tuple[CategoryImportance, ...]
    ridge: RidgeFit | None

    @property
    def enough(self) -> bool:
        return self.respondents >= self.minimum


def importance(
    category_scores: Sequence[Sequence[float | None]],
    outcome_values: Sequence[float | None],
    *,
    outcome: str,
    minimum: int = MINIMUM_RESPONDENTS,
) -> ImportanceResult:
    """Correlations and ridge shares of every category for ``outcome`` (e.g. "q1" 幸福度).

    With fewer than ``minimum`` respondents who answered the outcome, no figure is computed:
    the result says how many there were, so the page can say "too few respondents".
    """
    if len(category_scores) != len(outcome_values):
        raise ValueError("one outcome value per respondent is needed")
    respondents = sum(1 for y in outcome_values if y is not None)
    width = len(category_scores[0]) if category_scores else 0
    if respondents < minimum:
        return ImportanceResult(outcome, respondents, minimum, (), None)
    fit = ridge_fit(category_scores, outcome_values)
    matrix = np.array(
        [[np.nan if v is None else v for v in row] for row in category_scores], dtype=float
    ).reshape(len(category_scores), width)
    ya = _as_array(outcome_values)
    rows: list[CategoryImportance] = []
    for c in range(width):
        xa = matrix[:, c]
        rows.append(
            CategoryImportance(
                category=c + 1,
                n=int((~(np.isnan(xa) | np.isnan(ya))).sum()),
                pearson=_correlation_of(xa, ya, "pearson"),
                spearman=_correlation_of(xa, ya, "spearman"),
                coefficient=fit.coefficients[c] if fit else None,
                share=fit.shares[c] if fit else None,
            )
        )
    return ImportanceResult(outcome, respondents, minimum, tuple(rows), fit)


# --- performance, gap and quadrants ---------------------------------------------------------


class Quadrant(StrEnum):
    """Where a category falls in an importance × performance (or × gap) chart."""

    PRIORITY = "priority"  # 重要度が高く、評価が低い（または実感が客観を下回る）: 重点課題
    STRENGTH = "strength"  # 重要度が高く、評価も高い: 強みの維持
    WATCH = "watch"  # 重要度が低く、評価も低い: 経過観察
    SURPLUS = "surplus"  # 重要度が低く、評価が高い: 現状維持


class Caveat(StrEnum):
    """Reasons to read a category's figures with care (注意点)."""

    SINGLE_ITEM = "single_item"  # 設問が1問だけ: 回答のぶれが大きい
    SMALL_N = "small_n"  # 回答者が少ない
    INTERVAL_INCLUDES_ZERO = "interval_includes_zero"  # 相関が0と区別できない
    FLAG_KPIS = "flag_kpis"  # 客観指標に有無（0/1）型が多い
    NO_OBJECTIVE = "no_objective"  # 客観指標の偏差値がない
    NEGATIVE_COEFFICIENT = "negative_coefficient"  # 回帰係数が負（他カテゴリーとの重なり）


@dataclass(frozen=True)
class CategoryInput:
    """What the assessment needs to know about one category besides importance."""

    category: int
    subjective: float | None  # 主観偏差値 (performance)
    objective: float | None  # 客観偏差値
    items: int  # number of survey items in the category
    flag_kpi_fraction: float = 0.0  # share of the category's KPIs that are 0/1 flags


@dataclass(frozen=True)
class CategoryAssessment:
    """One category's place in both quadrant charts, with its caveats (カテゴリー別の評価)."""

    category: int
    importance: float | None
    importance_share: float | None
    performance: float | None
    objective: float | None
    gap: float | None
    performance_quadrant: Quadrant | None
    gap_quadrant: Quadrant | None
    caveats: tuple[Caveat, ...]

    @property
    def is_priority(self) -> bool:
        return Quadrant.PRIORITY in (self.performance_quadrant, self.gap_quadrant)


def gap(subjective: float | None, objective: float | None) -> float | None:
    """主観 − 客観 偏差値; negative means residents feel worse off than the statistics suggest."""
    if subjective is None or objective is None:
        return None
    return subjective - objective


def quadrant(*, important: bool, good: bool) -> Quadrant:
    if important:
        return Quadrant.STRENGTH if good else Quadrant.PRIORITY
    return Quadrant.SURPLUS if good else Quadrant.WATCH


def importance_threshold(values: Sequence[float]) -> float:
    """The split between high and low importance: the median over the categories."""
    if not values:
        raise ValueError("no importance values")
    return float(np.median(np.asarray(values, dtype=float)))


def assess(
    result: ImportanceResult,
    inputs: Sequence[CategoryInput],
    *,
    flag_threshold: float = 0.5,
) -> tuple[CategoryAssessment, ...]:
    """Place every category in the importance × performance and importance × gap quadrants.

    Importance on the charts is Pearson's r; "high" means at or above the median r of the
    categories AND a 95 % interval above zero (an association the data cannot tell from none is
    never "high"). Performance is "good" at or above 50, the gap at or above 0.
    """
    by_category = {row.category: row for row in result.categories}
    known = [row.pearson.r for row in result.categories if row.pearson is not None]
    threshold = importance_threshold(known) if known else None
    assessed: list[CategoryAssessment] = []
    for data in inputs:
        row = by_category.get(data.category)
        pearson = row.pearson if row is not None else None
        r = pearson.r if pearson is not None else None
        important = (
            pearson is not None
            and threshold is not None
            and pearson.r >= threshold
            and pearson.low > 0
        )
        difference = gap(data.subjective, data.objective)
        caveats: list[Caveat] = []
        if data.items == 1:
            caveats.append(Caveat.SINGLE_ITEM)
        if row is not None and row.n < SMALL_N:
            caveats.append(Caveat.SMALL_N)
        if row is not None and row.pearson is not None and not row.pearson.excludes_zero:
            caveats.append(Caveat.INTERVAL_INCLUDES_ZERO)
        if row is not None and row.coefficient is not None and row.coefficient < 0:
            caveats.append(Caveat.NEGATIVE_COEFFICIENT)
        if data.objective is None:
            caveats.append(Caveat.NO_OBJECTIVE)
        elif data.flag_kpi_fraction >= flag_threshold:
            caveats.append(Caveat.FLAG_KPIS)
        assessed.append(
            CategoryAssessment(
                category=data.category,
                importance=r,
                importance_share=row.share if row is not None else None,
                performance=data.subjective,
                objective=data.objective,
                gap=difference,
                performance_quadrant=(
                    quadrant(important=important, good=data.subjective >= REFERENCE_SCORE)
                    if r is not None and data.subjective is not None
                    else None
                ),
                gap_quadrant=(
                    quadrant(important=important, good=difference >= 0)
                    if r is not None and difference is not None
                    else None
                ),
                caveats=tuple(caveats),
            )
        )
    return tuple(assessed)


# --- similar municipalities -----------------------------------------------------------------


@dataclass(frozen=True)
class MunicipalityFeatures:
    """The features that define "similar" (類似団体): 2020 census figures."""

    code: str
    population: float
    density: float  # persons per km²
    ageing_rate: float  # share aged 65+, 0–1


@dataclass(frozen=True)
class SimilarMunicipality:
    code: str
    distance: float


def similar_municipalities(
    target: MunicipalityFeatures,
    candidates: Sequence[MunicipalityFeatures],
    *,
    count: int = 10,
) -> tuple[SimilarMunicipality, ...]:
    """The ``count`` candidates nearest to ``target`` (the target itself excluded).

    Distance is Euclidean over z-scored log population, log density and ageing rate, the
    z-scores taken over all candidates, so each feature weighs the same. The result is returned
    in 団体コード order: nearness selects the peers, it never orders them.
    """
    pool = [c for c in candidates if c.code != target.code and c.population > 0 and c.density > 0]
    if not pool or count <= 0:
        return ()

    def vector(f: MunicipalityFeatures) -> tuple[float, float, float]:
        return (math.log(f.population), math.log(f.density), f.ageing_rate)

    matrix = np.array([vector(c) for c in pool], dtype=float)
    centre, spread = matrix.mean(axis=0), matrix.std(axis=0)
    spread[spread == 0] = 1.0
    scaled = (matrix - centre) / spread
    origin = (np.array(vector(target), dtype=float) - centre) / spread
    distances = np.sqrt(((scaled - origin) ** 2).sum(axis=1))
    nearest = np.argsort(distances, kind="stable")[:count]
    chosen = [SimilarMunicipality(pool[i].code, float(distances[i])) for i in nearest]
    return tuple(sorted(chosen, key=lambda s: s.code))


@dataclass(frozen=True)
class PeerComparison:
    """A category's 偏差値 next to the mean of similar municipalities (類似団体との比較)."""

    category: int
    own: float | None
    peer_mean: float | None
    peers: int

    @property
    def difference(self) -> float | None:
        if self.own is None or self.peer_mean is None:
            return None
        return self.own - self.peer_mean


def peer_comparison(
    own: Sequence[float | None], peers: Sequence[Sequence[float | None]]
) -> tuple[PeerComparison, ...]:
    """Per category, the own score and the mean over the peers that have one."""
    rows: list[PeerComparison] = []
    for c, value in enumerate(own):
        present = [p[c] for p in peers if p[c] is not None]
        rows.append(
            PeerComparison(
                category=c + 1,
                own=value,
                peer_mean=float(np.mean(np.asarray(present, dtype=float))) if present else None,
                peers=len(present),
            )
        )
    return tuple(rows)
