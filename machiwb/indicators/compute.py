"""The scoring engine (指標の算出): pure maths on plain data, no database.

Implements indicator-spec §3 (docs/indicators.md explains every rule):

* subjective (主観): answers are reverse-coded (【逆】 items: ``lo + hi − x``), each item's value
  is the mean over the respondents who answered it, its 偏差値 is
  ``50 + 10 × (x − μ_ref) / σ_ref`` against the reference municipalities (population ≥ 100,000
  and ≥ 100 responses; σ is the population SD, ddof = 0); a category's value and 偏差値 are the
  means of its items' values and 偏差値.
* objective (客観): each KPI's 偏差値 with its direction against the reference set (東京23区 +
  population ≥ 100,000); the category score is the mean of its KPIs' 偏差値, with coverage.
* overall questions Q1–Q5: mean, n and answer distribution in %.

Input answers come pre-aggregated per cell (市区町村 × 年代 × 性別) as integer sums and counts,
which is exact and lets the database do the one pass over responses. Results do not depend on
the order of the input rows: everything is keyed and sorted by municipality code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Breakdown of all respondents of a municipality (全体).
ALL = "all"
DISPLAY_MIN = 20.0
DISPLAY_MAX = 80.0


@dataclass(frozen=True)
class Parameters:
    """Configurable rules (indicator-spec §3, marked [machiwb] there)."""

    subjective_min_population: int = 100_000
    subjective_min_responses: int = 100
    objective_min_population: int = 100_000
    item_scale: tuple[int, int] = (1, 5)


@dataclass(frozen=True)
class ItemSpec:
    """A category survey item (設問): its column, category and whether it is reverse-coded."""

    code: str
    category: str
    reverse: bool = False


@dataclass(frozen=True)
class QuestionSpec:
    """An overall question (全体設問) and its answer scale."""

    code: str
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class KpiSpec:
    """An objective KPI (客観指標); direction +1 when higher is better, −1 when lower is."""

    code: str
    category: str
    direction: int


@dataclass(frozen=True)
class MunicipalityInfo:
    """What the reference-set rules need to know about a municipality (市区町村)."""

    code: str
    population: int | None
    special_ward: bool = False
    parent: str | None = None  # the 政令指定都市 of a 行政区


@dataclass(frozen=True)
class Respondent:
    """One response (回答) as plain data, for building ``AnswerCells`` in tests and tools."""

    municipality: str
    age_band: int | None
    gender: int | None
    answers: Mapping[str, int | None]


@dataclass(frozen=True)
class AnswerCells:
    """Integer sufficient statistics of responses per cell (市区町村 × 年代 × 性別).

    ``item_sums[c, j]`` is the sum of the raw answers to item j in cell c and ``item_counts``
    the number who answered; ``answer_counts[q][c, k]`` counts answer ``scale_min + k``.
    Age band and gender 0 mean "not given".
    """

    municipality: tuple[str, ...]
    age_band: IntArray
    gender: IntArray
    n: IntArray
    item_sums: IntArray
    item_counts: IntArray
    answer_counts: Mapping[str, IntArray]


def answer_cells_from_respondents(
    respondents: Iterable[Respondent],
    *,
    items: Sequence[ItemSpec],
    questions: Sequence[QuestionSpec],
) -> AnswerCells:
    """Aggregate respondent rows into cells (the same sums the database query produces)."""
    index: dict[tuple[str, int, int], int] = {}
    n: list[int] = []
    sums: list[list[int]] = []
    counts: list[list[int]] = []
    answers: dict[str, list[list[int]]] = {q.code: [] for q in questions}
    for r in respondents:
        key = (r.municipality, r.age_band or 0, r.gender or 0)
        if key not in index:
            index[key] = len(n)
            n.append(0)
            sums.append([0] * len(items))
            counts.append([0] * len(items))
            for q in questions:
                answers[q.code].append([0] * (q.scale_max - q.scale_min + 1))
        c = index[key]
        n[c] += 1
        for j, item in enumerate(items):
            value = r.answers.get(item.code)
            if value is not None:
                sums[c][j] += value
                counts[c][j] += 1
        for q in questions:
            value = r.answers.get(q.code)
            if value is not None:
                answers[q.code][c][value - q.scale_min] += 1
    keys = list(index)
    width = len(items)
    return AnswerCells(
        municipality=tuple(k[0] for k in keys),
        age_band=np.array([k[1] for k in keys], dtype=np.int64),
        gender=np.array([k[2] for k in keys], dtype=np.int64),
        n=np.array(n, dtype=np.int64),
        item_sums=np.array(sums, dtype=np.int64).reshape(len(keys), width),
        item_counts=np.array(counts, dtype=np.int64).reshape(len(keys), width),
        answer_counts={
            q.code: np.array(answers[q.code], dtype=np.int64).reshape(
                len(keys), q.scale_max - q.scale_min + 1
            )
            for q in questions
        },
    )


@dataclass(frozen=True)
class ReferenceStat:
    """Mean and population SD of the reference municipalities' values (基準集団), and their count."""

    mean: float | None
    sd: float | None
    n: int


@dataclass(frozen=True)
class SubjectiveResult:
    """Subjective results per (municipality, breakdown) row, columnar.

    Row ``r`` is ``keys[r] = (municipality, breakdown)``; breakdowns are ``all``, ``age3``,
    ``gender2``, ``age3_gender2``. Values are NaN where nobody answered; 偏差値 are unclipped.
    """

    keys: tuple[tuple[str, str], ...]
    items: tuple[ItemSpec, ...]
    categories: tuple[str, ...]
    questions: tuple[QuestionSpec, ...]
    n: IntArray
    item_values: FloatArray
    item_scores: FloatArray
    item_n: IntArray
    category_values: FloatArray
    category_scores: FloatArray
    category_n: IntArray
    question_n: Mapping[str, IntArray]
    question_means: Mapping[str, FloatArray]
    question_counts: Mapping[str, IntArray]
    item_reference: Mapping[str, ReferenceStat]
    reference_members: tuple[str, ...]


@dataclass(frozen=True)
class KpiScore:
    value: float
    score: float | None


@dataclass(frozen=True)
class ObjectiveCategory:
    """Objective category score (客観 偏差値) = mean of its KPIs' 偏差値, with coverage."""

    score: float | None
    kpis_with_data: int
    kpis_total: int

    @property
    def coverage(self) -> float:
        return self.kpis_with_data / self.kpis_total if self.kpis_total else 0.0


@dataclass(frozen=True)
class ObjectiveResult:
    kpis: Mapping[str, Mapping[str, KpiScore]]  # municipality → KPI → value and 偏差値
    categories: Mapping[str, Mapping[str, ObjectiveCategory]]  # municipality → category → score
    kpi_reference: Mapping[str, ReferenceStat]
    reference_members: tuple[str, ...]
    municipalities: tuple[str, ...] = field(default=())


def deviation_score(value: float, reference: ReferenceStat, direction: int = 1) -> float | None:
    """偏差値 = 50 + 10 × s × (x − μ_ref) / σ_ref; None when the reference cannot scale it."""
    if reference.mean is None or not reference.sd:
        return None
    return 50.0 + 10.0 * direction * (value - reference.mean) / reference.sd


def clip_for_display(score: float | None) -> float | None:
    """Display value of a 偏差値: clipped to [20, 80] (the raw value is kept elsewhere)."""
    if score is None or math.isnan(score):
        return None
    return min(max(score, DISPLAY_MIN), DISPLAY_MAX)


def reference_stat(values: Iterable[float]) -> ReferenceStat:
    """Mean and population SD (ddof = 0) of the finite values, summed in a stable order."""
    data = sorted(v for v in values if not math.isnan(v))
    if not data:
        return ReferenceStat(mean=None, sd=None, n=0)
    mean = math.fsum(data) / len(data)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in data) / len(data))
    return ReferenceStat(mean=mean, sd=sd, n=len(data))


def _rolled_up(cells: AnswerCells, info: Mapping[str, MunicipalityInfo]) -> AnswerCells:
    """Add each 行政区's cells to its 政令指定都市 as well (the city's 全域 rows)."""
    extra = [
        (c, info[m].parent)
        for c, m in enumerate(cells.municipality)
        if m in info and info[m].parent
    ]
    if not extra:
        return cells
    rows = np.array([c for c, _ in extra], dtype=np.int64)
    return AnswerCells(
        municipality=cells.municipality + tuple(str(p) for _, p in extra),
        age_band=np.concatenate([cells.age_band, cells.age_band[rows]]),
        gender=np.concatenate([cells.gender, cells.gender[rows]]),
        n=np.concatenate([cells.n, cells.n[rows]]),
        item_sums=np.concatenate([cells.item_sums, cells.item_sums[rows]]),
        item_counts=np.concatenate([cells.item_counts, cells.item_counts[rows]]),
        answer_counts={q: np.concatenate([a, a[rows]]) for q, a in cells.answer_counts.items()},
    )


def _breakdowns(age: int, gender: int) -> list[str]:
    keys = [ALL]
    if age:
        keys.append(f"age{age}")
    if gender:
        keys.append(f"gender{gender}")
    if age and gender:
        keys.append(f"age{age}_gender{gender}")
    return keys


def _breakdown_order(breakdown: str) -> tuple[int, str]:
    if breakdown == ALL:
        return (0, "")
    if "_" in breakdown:
        return (3, breakdown)
    return (1 if breakdown.startswith("age") else 2, breakdown)


def _groups(cells: AnswerCells) -> tuple[list[tuple[str, str]], IntArray, IntArray]:
    """The (municipality, breakdown) groups, and which cell adds to which group.

    Groups are sorted by municipality code and breakdown (``_breakdown_order``) so that
    results never depend on the order of the input rows; every cell adds to its
    municipality's ``all`` group and to those of its 年代, 性別 and 年代 × 性別.
    """
    codes, municipality = np.unique(np.array(cells.municipality, dtype=str), return_inverse=True)
    municipality = municipality.reshape(-1).astype(np.int64)
    pairs, pair = np.unique(
        np.stack([cells.age_band, cells.gender], axis=1), axis=0, return_inverse=True
    )
    pair = pair.reshape(-1)
    per_pair = [_breakdowns(int(age), int(gender)) for age, gender in pairs.tolist()]
    names = sorted({b for bs in per_pair for b in bs}, key=_breakdown_order)
    rank = {b: k for k, b in enumerate(names)}
    slots = np.full((len(pairs), 4), -1, dtype=np.int64)
    for p, breakdowns in enumerate(per_pair):
        slots[p, : len(breakdowns)] = [rank[b] for b in breakdowns]
    cell_slots = slots[pair]  # per cell: the rank of each of its breakdowns, −1 for none
    cell_index = np.repeat(np.arange(len(pair), dtype=np.int64)[:, None], 4, axis=1)
    present = cell_slots >= 0
    source = cell_index[present]
    group = (municipality[:, None] * len(names) + cell_slots)[present]
    groups, target = np.unique(group, return_inverse=True)
    keys = [(str(codes[g // len(names)]), names[g % len(names)]) for g in groups.tolist()]
    return keys, source, target.reshape(-1).astype(np.int64)


def compute_subjective(
    cells: AnswerCells,
    *,
    items: Sequence[ItemSpec],
    questions: Sequence[QuestionSpec],
    municipalities: Mapping[str, MunicipalityInfo],
    parameters: Parameters = Parameters(),
    item_reference: Mapping[str, ReferenceStat] | None = None,
) -> SubjectiveResult:
    """Item, category and overall-question results for every municipality and breakdown.

    ``item_reference`` gives μ and σ from elsewhere (a 個別調査 is scored against the 全国調査
    of its year); without it they come from this data's own reference municipalities.
    """
    cells = _rolled_up(cells, municipalities)
    keys, source, target = _groups(cells)

    # Every group has at least one cell: sum each group's cells with one sorted reduceat.
    order = np.argsort(target, kind="stable")
    grouped_source = source[order]
    sorted_target = target[order]
    starts = np.flatnonzero(np.r_[True, sorted_target[1:] != sorted_target[:-1]])

    def total(values: IntArray) -> IntArray:
        if not len(source):
            return np.zeros((0,) + values.shape[1:], dtype=np.int64)
        out: IntArray = np.add.reduceat(values[grouped_source], starts, axis=0)
        return out

    n = total(cells.n)
    sums = total(cells.item_sums).astype(np.float64)
    counts = total(cells.item_counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    lo, hi = parameters.item_scale
    reverse = np.array([item.reverse for item in items], dtype=bool)
    if reverse.any():
        values[:, reverse] = (lo + hi) - values[:, reverse]

    all_rows = {m: r for r, (m, b) in enumerate(keys) if b == ALL}
    members = tuple(
        m
        for m in sorted(all_rows)
        if _subjective_member(municipalities.get(m), int(n[all_rows[m]]), parameters)
    )
    member_rows = [all_rows[m] for m in members]
    references: dict[str, ReferenceStat] = {}
    scores = np.full_like(values, np.nan)
    for j, item in enumerate(items):
        if item_reference is not None:
            ref = item_reference.get(item.code, ReferenceStat(mean=None, sd=None, n=0))
        else:
            ref = reference_stat(values[member_rows, j].tolist())
        references[item.code] = ref
        if ref.mean is not None and ref.sd:
            scores[:, j] = 50.0 + 10.0 * (values[:, j] - ref.mean) / ref.sd

    categories = tuple(dict.fromkeys(item.category for item in items))
    category_values = np.full((len(keys), len(categories)), np.nan)
    category_scores = np.full_like(category_values, np.nan)
    category_n = np.zeros((len(keys), len(categories)), dtype=np.int64)
    for k, category in enumerate(categories):
        columns = [j for j, item in enumerate(items) if item.category == category]
        category_values[:, k] = _nanmean(values[:, columns])
        category_scores[:, k] = _nanmean(scores[:, columns])
        category_n[:, k] = counts[:, columns].min(axis=1)

    question_counts = {q.code: total(cells.answer_counts[q.code]) for q in questions}
    question_n: dict[str, IntArray] = {}
    question_means: dict[str, FloatArray] = {}
    for q in questions:
        answer_counts = question_counts[q.code]
        qn = answer_counts.sum(axis=1)
        scale = np.arange(q.scale_min, q.scale_max + 1, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            question_means[q.code] = np.where(qn > 0, answer_counts @ scale / qn, np.nan)
        question_n[q.code] = qn

    return SubjectiveResult(
        keys=tuple(keys),
        items=tuple(items),
        categories=categories,
        questions=tuple(questions),
        n=n,
        item_values=values,
        item_scores=scores,
        item_n=counts,
        category_values=category_values,
        category_scores=category_scores,
        category_n=category_n,
        question_n=question_n,
        question_means=question_means,
        question_counts=question_counts,
        item_reference=references,
        reference_members=members,
    )


def _nanmean(block: FloatArray) -> FloatArray:
    present = ~np.isnan(block)
    count = present.sum(axis=1)
    total = np.where(present, block, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _subjective_member(
    info: MunicipalityInfo | None, responses: int, parameters: Parameters
) -> bool:
    if info is None or info.parent:
        return False
    population = info.population or 0
    return (
        population >= parameters.subjective_min_population
        and responses >= parameters.subjective_min_responses
    )


def _objective_member(info: MunicipalityInfo, parameters: Parameters) -> bool:
    if info.parent:
        return False
    return info.special_ward or (info.population or 0) >= parameters.objective_min_population


def compute_objective(
    values: Mapping[str, Mapping[str, float]],
    *,
    kpis: Sequence[KpiSpec],
    municipalities: Mapping[str, MunicipalityInfo],
    parameters: Parameters = Parameters(),
) -> ObjectiveResult:
    """KPI 偏差値 with direction and category scores with coverage (客観指標).

    ``values`` maps KPI code → municipality code → value. 行政区 get no objective scores
    (政令指定都市 are scored on the whole city only); KPIs missing for a municipality lower
    its coverage and are left out of its category mean.
    """
    scored = [
        m
        for m in sorted({m for per in values.values() for m in per})
        if m in municipalities and not municipalities[m].parent
    ]
    members = tuple(m for m in scored if _objective_member(municipalities[m], parameters))
    references: dict[str, ReferenceStat] = {}
    per_municipality: dict[str, dict[str, KpiScore]] = {m: {} for m in scored}
    for kpi in kpis:
        per = values.get(kpi.code, {})
        ref = reference_stat(per[m] for m in members if m in per)
        references[kpi.code] = ref
        for m in scored:
            if m in per:
                per_municipality[m][kpi.code] = KpiScore(
                    value=per[m], score=deviation_score(per[m], ref, kpi.direction)
                )
    totals: dict[str, int] = {}
    for kpi in kpis:
        totals[kpi.category] = totals.get(kpi.category, 0) + 1
    categories: dict[str, dict[str, ObjectiveCategory]] = {}
    for m in scored:
        by_category: dict[str, list[float]] = {}
        for kpi in kpis:
            result = per_municipality[m].get(kpi.code)
            if result is not None and result.score is not None:
                by_category.setdefault(kpi.category, []).append(result.score)
        categories[m] = {
            category: ObjectiveCategory(
                score=math.fsum(by_category[category]) / len(by_category[category])
                if by_category.get(category)
                else None,
                kpis_with_data=len(by_category.get(category, [])),
                kpis_total=total,
            )
            for category, total in totals.items()
        }
    return ObjectiveResult(
        kpis=per_municipality,
        categories=categories,
        kpi_reference=references,
        reference_members=members,
        municipalities=tuple(scored),
    )


def category_from_items(values: Sequence[float]) -> float | None:
    """A category's 実数 or 偏差値 from its items' (indicator-spec §3: the mean)."""
    data = [v for v in values if not math.isnan(v)]
    return math.fsum(data) / len(data) if data else None
