"""Reads for the priority-area analysis (課題分野の特定): respondents, catalog, census features.

The maths lives in ``compute.py``; this module gathers its plain inputs from the database and
puts the results together for one municipality, survey and outcome question.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from machiwb.accounts.models import User
from machiwb.analysis import compute
from machiwb.analysis.scores import (
    ScoreSet,
    category_scores,
    peer_score_sets,
    scored_municipality_codes,
)
from machiwb.core.language import in_active_language
from machiwb.indicators.models import CatalogVersion
from machiwb.indicators.selectors import catalog_for_fiscal_year
from machiwb.regions.models import Municipality
from machiwb.regions.sources import DATA_DIR, FILES
from machiwb.surveys.models import Response, Survey, SurveyType
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

#: The outcome questions importance is computed for: 幸福度 (Q1) and 生活満足度 (Q4).
OUTCOMES: tuple[str, ...] = ("q1", "q4")
OUTCOME_LABELS = {"q1": _("幸福度"), "q4": _("生活満足度")}
FLAG_UNIT = "0/1"
SIMILAR_COUNT = 10
CACHE_SECONDS = 600


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS[outcome])


@dataclass(frozen=True)
class CategoryInfo:
    """One category as the catalog defines it, with what the caveats need."""

    number: int
    code: str
    name_ja: str
    name_en: str
    item_columns: tuple[str, ...]
    reversed_columns: tuple[str, ...]
    kpis: int
    flag_kpis: int

    @property
    def name(self) -> str:
        """The name in the active language (English names come from the catalog)."""
        return in_active_language(self.name_ja, self.name_en)

    @property
    def flag_fraction(self) -> float:
        return self.flag_kpis / self.kpis if self.kpis else 0.0


def analysis_surveys(*, municipality: Municipality) -> list[Survey]:
    """Surveys with answers from this municipality: its own 個別調査 and its part of 全国調査."""
    return list(
        Survey.objects.filter(
            Q(survey_type=SurveyType.INDIVIDUAL, municipality=municipality)
            | Q(survey_type=SurveyType.NATIONAL)
        )
        .annotate(
            respondents=Count(
                "versions__responses",
                filter=Q(versions__responses__municipality=municipality),
            )
        )
        .filter(respondents__gt=0)
        .order_by("-fiscal_year", "title")
    )


def survey_for_analysis(*, municipality: Municipality, public_id: str) -> Survey | None:
    """The survey if this municipality may analyse it (its own, or 全国調査), else None."""
    return (
        Survey.objects.filter(public_id=public_id)
        .filter(
            Q(survey_type=SurveyType.INDIVIDUAL, municipality=municipality)
            | Q(survey_type=SurveyType.NATIONAL)
        )
        .first()
    )


def catalog_categories(catalog: CatalogVersion) -> tuple[CategoryInfo, ...]:
    """The catalog's categories in catalog order, with their response columns and KPI kinds."""
    categories = catalog.categories.order_by("order").prefetch_related("items", "kpis")
    infos: list[CategoryInfo] = []
    for number, category in enumerate(categories, start=1):
        items = sorted(category.items.all(), key=lambda i: i.order)
        columns = tuple(i.code for i in items if i.code in CATEGORY_ITEM_COLUMNS)
        kpis = list(category.kpis.all())
        infos.append(
            CategoryInfo(
                number=number,
                code=category.code,
                name_ja=category.name_ja,
                name_en=category.name_en,
                item_columns=columns,
                reversed_columns=tuple(i.code for i in items if i.reverse),
                kpis=len(kpis),
                flag_kpis=sum(1 for k in kpis if k.unit == FLAG_UNIT),
            )
        )
    return tuple(infos)


def respondent_data(
    *, survey: Survey, municipality: Municipality, categories: tuple[CategoryInfo, ...]
) -> tuple[list[list[float | None]], dict[str, list[float | None]]]:
    """Per respondent: category scores (compute.respondent_category_scores) and outcomes."""
    columns = [c for info in categories for c in info.item_columns]
    rows = Response.objects.filter(
        survey_version__survey=survey, municipality=municipality
    ).values_list(*columns, *OUTCOMES)
    answers: list[list[int | None]] = []
    outcomes: dict[str, list[float | None]] = {q: [] for q in OUTCOMES}
    width = len(columns)
    for row in rows.iterator(chunk_size=2000):
        answers.append(list(row[:width]))
        for q, value in zip(OUTCOMES, row[width:], strict=True):
            outcomes[q].append(None if value is None else float(value))
    reversed_positions = {
        columns.index(c) for info in categories for c in info.reversed_columns if c in columns
    }
    scores = compute.respondent_category_scores(
        answers,
        items_per_category=[len(info.item_columns) for info in categories],
        reversed_items=reversed_positions,
    )
    return scores, outcomes


@lru_cache(maxsize=1)
def municipality_features() -> dict[str, compute.MunicipalityFeatures]:
    """2020 census population, density and ageing rate of every municipality (shipped file)."""
    features: dict[str, compute.MunicipalityFeatures] = {}
    path = DATA_DIR / FILES["census2020"]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                population = float(row["pop_total"])
                density = float(row["pop_density"])
                ageing = float(row["pct_elderly_65"])
            except ValueError:
                continue  # a row without one of the three figures cannot be compared
            features[row["lg_code"]] = compute.MunicipalityFeatures(
                row["lg_code"], population, density, ageing
            )
    return features


@dataclass(frozen=True)
class PeerGroup:
    """Similar municipalities (類似団体) that have scores, and the category comparison."""

    municipalities: tuple[Municipality, ...]
    subjective: tuple[compute.PeerComparison, ...]
    objective: tuple[compute.PeerComparison, ...]


def _peer_group(
    *,
    municipality: Municipality,
    scores: ScoreSet | None,
    categories: tuple[CategoryInfo, ...],
) -> tuple[PeerGroup | None, bool]:
    """The peer group, and whether the municipality's own census features are known."""
    features = municipality_features()
    target = features.get(municipality.code)
    if target is None:
        return None, False
    if scores is None:
        return None, True
    candidates = [features[c] for c in scored_municipality_codes(scores.run) if c in features]
    chosen = compute.similar_municipalities(target, candidates, count=SIMILAR_COUNT)
    others = peer_score_sets(scores, [c.code for c in chosen], categories)
    if not others:
        return None, True
    codes = sorted(others)
    peers = tuple(Municipality.objects.filter(code__in=codes).order_by("code"))
    return (
        PeerGroup(
            municipalities=peers,
            subjective=compute.peer_comparison(
                scores.subjective, [others[c].subjective for c in codes]
            ),
            objective=compute.peer_comparison(
                scores.objective, [others[c].objective for c in codes]
            ),
        ),
        True,
    )


@dataclass(frozen=True)
class AnalysisReport:
    """Everything the analysis page, its charts and its CSV show for one outcome."""

    survey: Survey
    municipality: Municipality
    outcome: str
    categories: tuple[CategoryInfo, ...]
    respondents: int
    importance: compute.ImportanceResult
    assessments: tuple[compute.CategoryAssessment, ...]
    scores: ScoreSet | None
    peers: PeerGroup | None
    has_features: bool

    @property
    def priorities(self) -> list[tuple[CategoryInfo, compute.CategoryAssessment]]:
        """Priority categories in catalog order (never ordered by a score)."""
        return [
            (info, a)
            for info, a in zip(self.categories, self.assessments, strict=True)
            if a.is_priority
        ]

    @property
    def peer_rows(
        self,
    ) -> list[tuple[CategoryInfo, compute.PeerComparison, compute.PeerComparison]]:
        if self.peers is None:
            return []
        return list(zip(self.categories, self.peers.subjective, self.peers.objective, strict=True))

    @property
    def rows(
        self,
    ) -> list[tuple[CategoryInfo, compute.CategoryImportance | None, compute.CategoryAssessment]]:
        by_number = {c.category: c for c in self.importance.categories}
        return [
            (info, by_number.get(info.number), a)
            for info, a in zip(self.categories, self.assessments, strict=True)
        ]


def _importance_cached(
    *,
    survey: Survey,
    municipality: Municipality,
    categories: tuple[CategoryInfo, ...],
    respondents: int,
) -> dict[str, compute.ImportanceResult]:
    key = f"analysis:v1:{survey.public_id}:{municipality.code}:{respondents}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    scores, outcomes = respondent_data(
        survey=survey, municipality=municipality, categories=categories
    )
    results = {q: compute.importance(scores, outcomes[q], outcome=q) for q in OUTCOMES}
    cache.set(key, results, CACHE_SECONDS)
    return results


def analysis_report(
    *, survey: Survey, municipality: Municipality, outcome: str
) -> AnalysisReport | None:
    """The analysis of ``outcome`` (q1 or q4), or None when no catalog covers the survey year."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    catalog = catalog_for_fiscal_year(survey.fiscal_year)
    if catalog is None:
        return None
    categories = catalog_categories(catalog)
    respondents = Response.objects.filter(
        survey_version__survey=survey, municipality=municipality
    ).count()
    result = _importance_cached(
        survey=survey, municipality=municipality, categories=categories, respondents=respondents
    )[outcome]
    scores = category_scores(
        survey=survey, municipality_code=municipality.code, categories=categories
    )
    inputs = [
        compute.CategoryInput(
            category=info.number,
            subjective=scores.subjective[i] if scores else None,
            objective=scores.objective[i] if scores else None,
            items=len(info.item_columns),
            flag_kpi_fraction=info.flag_fraction,
        )
        for i, info in enumerate(categories)
    ]
    peers, has_features = _peer_group(
        municipality=municipality, scores=scores, categories=categories
    )
    return AnalysisReport(
        survey=survey,
        municipality=municipality,
        outcome=outcome,
        categories=categories,
        respondents=respondents,
        importance=result,
        assessments=compute.assess(result, inputs),
        scores=scores,
        peers=peers,
        has_features=has_features,
    )


def staff_municipalities(*, user: User) -> list[Municipality]:
    """The municipalities the user is a member of (所属する自治体), in code order."""
    return list(
        Municipality.objects.filter(memberships__user=user)
        .select_related("prefecture")
        .order_by("code")
    )
