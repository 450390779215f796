"""Reads of the indicators app (指標): catalog versions and scores.

The functions here are the contract the dashboard, API and analysis code against; their
signatures stay stable. Nothing here orders municipalities by a score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from machiwb.core.language import in_active_language
from machiwb.indicators.compute import ALL, clip_for_display
from machiwb.indicators.models import (
    CatalogVersion,
    Category,
    KpiImport,
    KpiValue,
    KpiWording,
    ScoreCell,
    ScoreOrigin,
    ScoreRun,
)
from machiwb.indicators.suppression import suppress_table
from machiwb.regions.models import Municipality
from machiwb.surveys.models import AgeBand, Gender


def catalog_for_fiscal_year(fiscal_year: int) -> CatalogVersion | None:
    """The catalog version (調査票の版) in force for a fiscal year (年度), or None."""
    return (
        CatalogVersion.objects.filter(first_fiscal_year__lte=fiscal_year)
        .filter(Q(last_fiscal_year__isnull=True) | Q(last_fiscal_year__gte=fiscal_year))
        .order_by("-first_fiscal_year")
        .first()
    )


@dataclass(frozen=True)
class CategoryScore:
    """One category's scores for a municipality and breakdown (カテゴリー別の結果).

    ``*_score`` are 偏差値 clipped to [20, 80] for display; ``*_score_raw`` are unclipped.
    ``subjective_value`` is the 実数 on the 1–5 scale. Objective scores exist on the ``all``
    breakdown only; ``coverage`` = KPIs with data / KPIs in the category.
    """

    code: str
    name_ja: str
    name_en: str
    group_code: str
    group_name_ja: str
    group_name_en: str
    order: int
    subjective_value: float | None
    subjective_score: float | None
    subjective_score_raw: float | None
    objective_score: float | None
    objective_score_raw: float | None
    n: int | None
    kpis_with_data: int | None
    kpis_total: int | None
    coverage: float | None
    suppressed: bool

    @property
    def name(self) -> str:
        return in_active_language(self.name_ja, self.name_en)

    @property
    def group_name(self) -> str:
        return in_active_language(self.group_name_ja, self.group_name_en)


@dataclass(frozen=True)
class OverallResult:
    """A 全体設問 (Q1–Q5): mean, n and answer distribution as (answer, %) pairs."""

    code: str
    label_ja: str
    label_en: str
    scale_min: int
    scale_max: int
    mean: float | None
    n: int | None
    distribution: tuple[tuple[int, float], ...]
    suppressed: bool

    @property
    def label(self) -> str:
        return in_active_language(self.label_ja, self.label_en)


@dataclass(frozen=True)
class ProfileCell:
    """回答者の属性: respondents by 年代 × 性別; ``n`` is None when suppressed (a small cell,
    or one hidden so that a small cell cannot be worked out from the totals)."""

    age_band: int
    age_label: str
    gender: int
    gender_label: str
    n: int | None
    suppressed: bool


@dataclass(frozen=True)
class MunicipalityScores:
    """Everything the dashboard shows for one municipality, run and breakdown (内訳).

    ``categories`` always lists the catalog's 24 categories in catalog order (values are None
    where there is no result); ``has_results`` is False when the run holds nothing for the
    municipality. ``n`` is None for published results that do not state it.
    """

    run_public_id: str
    fiscal_year: int
    survey_type: str
    origin: str
    catalog_version: str
    municipality_code: str
    municipality_name: str
    breakdown: str
    has_results: bool
    n: int | None
    suppressed: bool
    min_public_n: int
    categories: tuple[CategoryScore, ...]
    overall: tuple[OverallResult, ...]
    profile: tuple[ProfileCell, ...]


@dataclass(frozen=True)
class ItemExplanation:
    """How a subjective item value was made (設問の実数・偏差値と基準集団)."""

    code: str
    label_ja: str
    text_ja: str
    text_en: str
    reverse: bool
    provisional: bool
    value: float | None
    score: float | None
    score_raw: float | None
    n: int | None
    reference_mean: float | None
    reference_sd: float | None
    reference_n: int | None

    @property
    def label(self) -> str:
        """The short name; the catalog has none in English, so there it is the wording."""
        return in_active_language(self.label_ja, self.text_en)

    @property
    def text(self) -> str:
        return in_active_language(self.text_ja, self.text_en)


@dataclass(frozen=True)
class KpiExplanation(KpiWording):
    """How an objective KPI 偏差値 was made: value, direction, reference, source and vintage."""

    code: str
    name_ja: str
    name_en: str
    unit: str
    unit_en: str
    direction: int
    source: str
    source_en: str
    vintage: str
    vintage_en: str
    official: bool
    value: float | None
    score: float | None
    score_raw: float | None
    reference_mean: float | None
    reference_sd: float | None
    reference_n: int | None
    provenance: str


@dataclass(frozen=True)
class CategoryExplanation:
    """説明: the items and KPIs behind one category score, with the method in words."""

    run_public_id: str
    fiscal_year: int
    survey_type: str
    origin: str
    municipality_code: str
    category: CategoryScore
    items: tuple[ItemExplanation, ...]
    kpis: tuple[KpiExplanation, ...]
    method_ja: str
    method_en: str
    subjective_reference_members: int | None
    objective_reference_members: int | None

    @property
    def method(self) -> str:
        return in_active_language(self.method_ja, self.method_en)


def min_public_cell_n() -> int:
    """Cells (any breakdown) with fewer respondents are suppressed in public output."""
    return int(settings.MACHIWB["MIN_PUBLIC_CELL_N"])


def score_run_current(*, fiscal_year: int, survey_type: str) -> ScoreRun | None:
    """The current results (現行の算出結果) of a fiscal year and survey type, or None."""
    return (
        ScoreRun.objects.select_related("catalog")
        .filter(fiscal_year=fiscal_year, survey_type=survey_type, is_current=True)
        .first()
    )


def score_available(*, municipality_code: str) -> list[tuple[int, str]]:
    """(fiscal_year, survey_type) pairs with current results for a municipality, newest first."""
    pairs = (
        ScoreCell.objects.filter(
            municipality_id=municipality_code, breakdown=ALL, run__is_current=True
        )
        .values_list("run__fiscal_year", "run__survey_type")
        .distinct()
    )
    return sorted(set(pairs), key=lambda p: (-p[0], p[1]))


def _by_code(codes: list[str], lists: Any, width: int) -> dict[str, list[Any]]:
    """Turn a cell's parallel lists back into {code: [first, second, …]} (width values)."""
    if not lists:
        return {}
    columns = [*lists, *([None] * len(codes),) * (width - len(lists))][:width]
    return {
        code: [column[i] for column in columns]
        for i, code in enumerate(codes)
        if any(column[i] is not None for column in columns[:2] + columns[3:4])
    }


def _cell_items(run: ScoreRun, cell: ScoreCell | None) -> dict[str, list[Any]]:
    return _by_code(run.layout.get("items", []), cell.items if cell else [], 3)


def _cell_categories(run: ScoreRun, cell: ScoreCell | None) -> dict[str, list[Any]]:
    return _by_code(run.layout.get("categories", []), cell.categories if cell else [], 6)


def _cell_kpis(run: ScoreRun, cell: ScoreCell | None) -> dict[str, list[Any]]:
    return _by_code(run.layout.get("kpis", []), cell.kpis if cell else [], 2)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _category_scores(
    run: ScoreRun, cell: ScoreCell | None, *, suppressed: bool
) -> list[CategoryScore]:
    catalog = run.catalog
    data = _cell_categories(run, cell)
    out = []
    for category in catalog.categories.select_related("group").order_by("order"):
        row = data.get(category.code) or [None] * 6
        value, score, n, objective, with_data, total = (row + [None] * 6)[:6]
        if suppressed:
            value = score = None
        out.append(
            CategoryScore(
                code=category.code,
                name_ja=category.name_ja,
                name_en=category.name_en,
                group_code=category.group.code,
                group_name_ja=category.group.name_ja,
                group_name_en=category.group.name_en,
                order=category.order,
                subjective_value=_num(value),
                subjective_score=clip_for_display(_num(score)),
                subjective_score_raw=_num(score),
                objective_score=clip_for_display(_num(objective)),
                objective_score_raw=_num(objective),
                n=None if n is None else int(n),
                kpis_with_data=with_data,
                kpis_total=total,
                coverage=with_data / total if total else None,
                suppressed=suppressed,
            )
        )
    return out


def _distribution(
    stored: dict[str, float] | list[int], n: int | None, scale_min: int
) -> tuple[tuple[int, float], ...]:
    """(answer, %) pairs: computed rows store answer counts, published rows the % as issued."""
    if isinstance(stored, dict):
        return tuple(sorted((int(a), float(p)) for a, p in stored.items()))
    total = n or sum(stored)
    return tuple(
        (scale_min + k, round(100.0 * c / total, 4) if total else 0.0) for k, c in enumerate(stored)
    )


def _overall(
    catalog: CatalogVersion, cell: ScoreCell | None, *, suppressed: bool
) -> list[OverallResult]:
    data = cell.overall if cell is not None else {}
    out = []
    for question in catalog.overall_questions.order_by("code"):
        mean, n, distribution = (data.get(question.code) or [None, None, {}])[:3]
        hidden = suppressed or (n is not None and n < min_public_cell_n())
        out.append(
            OverallResult(
                code=question.code,
                label_ja=question.label_ja,
                label_en=question.label_en,
                scale_min=question.scale_min,
                scale_max=question.scale_max,
                mean=None if hidden else _num(mean),
                n=None if hidden else n,
                distribution=() if hidden else _distribution(distribution, n, question.scale_min),
                suppressed=hidden,
            )
        )
    return out


def _profile(run: ScoreRun, municipality_code: str) -> tuple[list[ProfileCell], set[str]]:
    """The respondent profile (年代 × 性別) and every breakdown it hides.

    The 年代 and 性別 breakdowns' n are the margins of the table and the 全体 n its total, all
    of them public, so the cells and margins are suppressed together (primary and secondary,
    ``suppression.suppress_table``): a hidden cell cannot be worked out from what is shown.
    """
    counts = dict(
        ScoreCell.objects.filter(run=run, municipality_id=municipality_code).values_list(
            "breakdown", "n"
        )
    )
    if not any("_gender" in breakdown for breakdown in counts):
        return [], set()
    ages, genders = list(AgeBand), list(Gender)
    table = suppress_table(
        [[counts.get(f"age{a.value}_gender{g.value}") or 0 for g in genders] for a in ages],
        row_totals=[counts.get(f"age{a.value}") or 0 for a in ages],
        column_totals=[counts.get(f"gender{g.value}") or 0 for g in genders],
        total=counts.get(ALL) or 0,
        minimum=min_public_cell_n(),
    )
    hidden = {f"age{a.value}" for a, n in zip(ages, table.row_totals, strict=True) if n is None}
    hidden |= {
        f"gender{g.value}" for g, n in zip(genders, table.column_totals, strict=True) if n is None
    }
    out = []
    for age, row in zip(ages, table.cells, strict=True):
        for gender, n in zip(genders, row, strict=True):
            if n is None:
                hidden.add(f"age{age.value}_gender{gender.value}")
            out.append(
                ProfileCell(
                    age_band=age.value,
                    age_label=str(age.label),
                    gender=gender.value,
                    gender_label=str(gender.label),
                    n=n,
                    suppressed=n is None,
                )
            )
    return out, hidden


def _origin(run: ScoreRun, municipality_code: str) -> str:
    """Where a municipality's results in a run come from: computed, or published and kept."""
    if municipality_code in (run.inputs or {}).get("official_carried_forward", []):
        return str(ScoreOrigin.OFFICIAL)
    return str(run.origin)


def score_municipality(
    *, run: ScoreRun, municipality_code: str, breakdown: str = ALL
) -> MunicipalityScores:
    """One municipality's results in a run (自治体別の結果), for the dashboard and API.

    ``breakdown`` is ``all``, ``age3``, ``gender2`` or ``age3_gender2``. Any cell with fewer
    respondents than MACHIWB_MIN_PUBLIC_CELL_N is suppressed (values None, ``suppressed``
    True), and so is every profile cell or breakdown hidden to protect one (secondary
    suppression). The dashboard and the API show the profile exactly as returned here.
    Raises Municipality.DoesNotExist for unknown codes.
    """
    municipality = Municipality.objects.get(code=municipality_code)
    cell = ScoreCell.objects.filter(
        run=run, municipality_id=municipality_code, breakdown=breakdown
    ).first()
    minimum = min_public_cell_n()
    profile, hidden = _profile(run, municipality_code)
    # A municipality without responses (n = 0) has no subjective values to hide.
    suppressed = cell is not None and cell.n is not None and 0 < cell.n < minimum
    # A breakdown the respondent profile hides (a small cell, or one hidden to protect it)
    # is hidden here too, so its n cannot be read from the breakdown instead.
    suppressed = suppressed or (cell is not None and breakdown != ALL and breakdown in hidden)
    return MunicipalityScores(
        run_public_id=str(run.public_id),
        fiscal_year=run.fiscal_year,
        survey_type=run.survey_type,
        origin=_origin(run, municipality_code),
        catalog_version=run.catalog.code,
        municipality_code=municipality.code,
        municipality_name=municipality.name,
        breakdown=breakdown,
        has_results=cell is not None,
        n=None if cell is None or suppressed else cell.n,
        suppressed=suppressed,
        min_public_n=minimum,
        categories=tuple(_category_scores(run, cell, suppressed=suppressed)),
        overall=tuple(_overall(run.catalog, cell, suppressed=suppressed)),
        profile=tuple(profile) if breakdown == ALL else (),
    )


_METHOD_COMPUTED_JA = (
    "主観：逆転項目は 6−回答 に置き換え、設問ごとに回答者の平均（実数）を求め、基準集団"
    "（人口10万人以上かつ回答100件以上の市区町村）の平均と標準偏差で偏差値"
    "（50＋10×(実数−平均)/標準偏差）に換算。カテゴリーの実数・偏差値は設問の平均。"
    "客観：各指標を基準集団（東京23区と人口10万人以上の市区町村）で偏差値に換算"
    "（低いほど良い指標は符号を反転）し、カテゴリー内で平均。表示は20〜80に収める。"
)
_METHOD_COMPUTED_EN = (
    "Subjective: reverse items are scored 6 − answer; each item's value is the respondents' mean, "
    "converted to a deviation score 50 + 10 × (value − mean) / SD against the reference set "
    "(population ≥ 100,000 and ≥ 100 responses); a category is the mean of its items. "
    "Objective: each KPI against the reference set (Tokyo's 23 wards and population ≥ 100,000), "
    "sign reversed where lower is better, averaged within the category. Display is clipped to 20–80."
)
_METHOD_OFFICIAL_JA = (
    "デジタル庁「地域幸福度（Well-Being）指標」ダッシュボードの公表値（実数・偏差値）。"
    "カテゴリーの値は設問の平均と照合済み（差0.1以内）。基準集団の統計と回答者数は公表されていない。"
)
_METHOD_OFFICIAL_EN = (
    "Values published on the Digital Agency's Well-Being dashboard. Category values were checked "
    "against the mean of their items (within 0.1). Reference statistics and n are not published."
)


def score_explain(
    *, run: ScoreRun, municipality_code: str, category_code: str
) -> CategoryExplanation:
    """How one category score of a municipality was made (算出根拠): items, KPIs, reference.

    Raises Category.DoesNotExist for a code not in the run's catalog.
    """
    category = Category.objects.get(catalog=run.catalog, code=category_code)
    scores = score_municipality(run=run, municipality_code=municipality_code)
    category_score = next(c for c in scores.categories if c.code == category.code)
    cell = ScoreCell.objects.filter(
        run=run, municipality_id=municipality_code, breakdown=ALL
    ).first()
    item_data = _cell_items(run, cell)
    kpi_data = _cell_kpis(run, cell)
    reference = run.reference or {}
    item_reference = reference.get("items", {})
    kpi_reference = reference.get("kpis", {})
    kpi_sources = (run.inputs or {}).get("kpi_sources", {})
    items = []
    for item in category.items.order_by("order"):
        value, score, n = (item_data.get(item.code) or [None, None, None])[:3]
        if scores.suppressed:
            value = score = None
        ref = item_reference.get(item.code, {})
        items.append(
            ItemExplanation(
                code=item.code,
                label_ja=item.label_ja,
                text_ja=item.text_ja,
                text_en=item.text_en,
                reverse=item.reverse,
                provisional=item.provisional,
                value=_num(value),
                score=clip_for_display(_num(score)),
                score_raw=_num(score),
                n=n,
                reference_mean=ref.get("mean"),
                reference_sd=ref.get("sd"),
                reference_n=ref.get("n"),
            )
        )
    kpis = []
    for kpi in category.kpis.order_by("order"):
        value, score = (kpi_data.get(kpi.code) or [None, None])[:2]
        ref = kpi_reference.get(kpi.code, {})
        kpis.append(
            KpiExplanation(
                code=kpi.code,
                name_ja=kpi.name_ja,
                name_en=kpi.name_en,
                unit=kpi.unit,
                unit_en=kpi.unit_en,
                direction=kpi.direction,
                source=kpi.source,
                source_en=kpi.source_en,
                vintage=kpi.vintage,
                vintage_en=kpi.vintage_en,
                official=kpi.official,
                value=_num(value),
                score=clip_for_display(_num(score)),
                score_raw=_num(score),
                reference_mean=ref.get("mean"),
                reference_sd=ref.get("sd"),
                reference_n=ref.get("n"),
                provenance=kpi_sources.get(kpi.code, ""),
            )
        )
    origin = _origin(run, municipality_code)
    official = origin == ScoreOrigin.OFFICIAL
    return CategoryExplanation(
        run_public_id=str(run.public_id),
        fiscal_year=run.fiscal_year,
        survey_type=run.survey_type,
        origin=origin,
        municipality_code=municipality_code,
        category=category_score,
        items=tuple(items),
        kpis=tuple(kpis),
        method_ja=_METHOD_OFFICIAL_JA if official else _METHOD_COMPUTED_JA,
        method_en=_METHOD_OFFICIAL_EN if official else _METHOD_COMPUTED_EN,
        subjective_reference_members=reference.get("subjective_members"),
        objective_reference_members=reference.get("objective_members"),
    )


def kpi_values_for_year(
    *, catalog: CatalogVersion, fiscal_year: int
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """KPI values of a fiscal year (KPI code → municipality code → value) and, per KPI, the
    files they came from (file name, checksum, date of import)."""
    codes = set(catalog.kpis.values_list("code", flat=True))
    values: dict[str, dict[str, float]] = {}
    imports: dict[str, set[int]] = {}
    for code, municipality, value, source in KpiValue.objects.filter(
        fiscal_year=fiscal_year, kpi_code__in=codes
    ).values_list("kpi_code", "municipality_id", "value", "source_import_id"):
        values.setdefault(code, {})[municipality] = value
        imports.setdefault(code, set()).add(source)
    files = {
        i.pk: f"{i.file_name} (sha256 {i.sha256[:12]}…, {i.created_at:%Y-%m-%d})"
        for i in KpiImport.objects.filter(pk__in={p for s in imports.values() for p in s})
    }
    sources = {code: "; ".join(files[p] for p in sorted(ids)) for code, ids in imports.items()}
    return values, sources
