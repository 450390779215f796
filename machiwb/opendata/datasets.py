"""The open-data datasets (オープンデータ): flat records with a fixed column list.

Every dataset is a list of flat records whose keys are exactly its ``columns``, so the JSON and
the CSV of a dataset carry the same fields in the same order (documented in
docs/formats/open-data.md; changing a column needs a new API version). Scores are read through
machiwb.dashboard.results, the same functions the dashboard uses, so both publish the same
numbers and suppress the same cells. Municipalities are listed in 団体コード order, never by a
score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from machiwb.dashboard.results import scores_cached
from machiwb.indicators.models import CatalogVersion, Category, ScoreCell, ScoreRun
from machiwb.indicators.selectors import (
    MunicipalityScores,
    min_public_cell_n,
    score_explain,
    score_run_current,
)
from machiwb.regions.models import Municipality, Prefecture

Record = dict[str, Any]

PREFECTURE_COLUMNS = ("pref_code", "lg_code", "name", "name_kana", "name_en")
MUNICIPALITY_COLUMNS = (
    "lg_code",
    "pref_code",
    "prefecture",
    "name",
    "name_kana",
    "kind",
    "parent_lg_code",
)
RUN_COLUMNS = (
    "run_id",
    "fiscal_year",
    "survey_type",
    "origin",
    "catalog_version",
    "municipality_count",
    "created_on",
)
CATALOG_COLUMNS = ("catalog_version", "title", "first_fiscal_year", "last_fiscal_year")
CATEGORY_COLUMNS = (
    "catalog_version",
    "group_code",
    "group_name_ja",
    "group_name_en",
    "category_code",
    "name_ja",
    "name_en",
    "order",
)
ITEM_COLUMNS = (
    "catalog_version",
    "item_code",
    "category_code",
    "label_ja",
    "text_ja",
    "text_en",
    "reverse",
    "provisional",
    "order",
)
KPI_COLUMNS = (
    "catalog_version",
    "kpi_code",
    "category_code",
    "name_ja",
    "name_en",
    "unit",
    "direction",
    "source",
    "vintage",
    "official",
    "order",
    "unit_en",
    "source_en",
    "vintage_en",
)
QUESTION_COLUMNS = (
    "catalog_version",
    "question_code",
    "label_ja",
    "label_en",
    "text_ja",
    "text_en",
    "scale_min",
    "scale_max",
    "optional",
)
_RESULT_KEY = (
    "fiscal_year",
    "survey_type",
    "origin",
    "catalog_version",
    "run_id",
    "lg_code",
    "municipality_name",
)
SCORE_COLUMNS = (
    *_RESULT_KEY,
    "respondents_n",
    "group_code",
    "category_code",
    "category_name_ja",
    "subjective_value",
    "subjective_score",
    "subjective_score_raw",
    "objective_score",
    "objective_score_raw",
    "category_n",
    "kpis_with_data",
    "kpis_total",
    "coverage",
    "suppressed",
)
OVERALL_COLUMNS = (
    *_RESULT_KEY,
    "question_code",
    "label_ja",
    "scale_min",
    "scale_max",
    "mean",
    "n",
    "answer",
    "percent",
    "suppressed",
)
PROFILE_COLUMNS = (
    *_RESULT_KEY,
    "age_band",
    "age_label",
    "gender",
    "gender_label",
    "n",
    "suppressed",
)
ITEM_SCORE_COLUMNS = (
    *_RESULT_KEY,
    "category_code",
    "item_code",
    "label_ja",
    "reverse",
    "value",
    "score",
    "score_raw",
    "n",
    "reference_mean",
    "reference_sd",
    "reference_n",
)
KPI_SCORE_COLUMNS = (
    *_RESULT_KEY,
    "category_code",
    "kpi_code",
    "name_ja",
    "unit",
    "direction",
    "value",
    "score",
    "score_raw",
    "reference_mean",
    "reference_sd",
    "reference_n",
    "source",
    "vintage",
    "unit_en",
    "source_en",
    "vintage_en",
)


def prefecture_records() -> list[Record]:
    return [
        {
            "pref_code": p.pref_code,
            "lg_code": p.code,
            "name": p.name,
            "name_kana": p.name_kana,
            "name_en": p.name_en,
        }
        for p in Prefecture.objects.order_by("pref_code")
    ]


def municipality_records(*, pref_code: str | None) -> list[Record]:
    """Current municipalities and wards in 団体コード order."""
    rows = Municipality.objects.filter(valid_to__isnull=True).select_related("prefecture")
    if pref_code:
        rows = rows.filter(prefecture__pref_code=pref_code)
    return [
        {
            "lg_code": m.code,
            "pref_code": m.prefecture.pref_code,
            "prefecture": m.prefecture.name,
            "name": m.name,
            "name_kana": m.name_kana,
            "kind": m.kind,
            "parent_lg_code": m.parent_id or None,
        }
        for m in rows.order_by("code")
    ]


def run_records() -> list[Record]:
    """The current results (算出結果) per fiscal year and survey type, newest year first."""
    runs = ScoreRun.objects.filter(is_current=True).select_related("catalog")
    return [
        {
            "run_id": str(r.public_id),
            "fiscal_year": r.fiscal_year,
            "survey_type": r.survey_type,
            "origin": r.origin,
            "catalog_version": r.catalog.code,
            "municipality_count": r.municipality_count,
            "created_on": r.created_at.date().isoformat(),
        }
        for r in runs.order_by("-fiscal_year", "survey_type")
    ]


def catalog_records() -> list[Record]:
    return [
        {
            "catalog_version": c.code,
            "title": c.title,
            "first_fiscal_year": c.first_fiscal_year,
            "last_fiscal_year": c.last_fiscal_year,
        }
        for c in CatalogVersion.objects.order_by("first_fiscal_year")
    ]


def catalog_part_records(*, catalog: CatalogVersion, part: str) -> list[Record]:
    """One part of a catalog version: categories, items, kpis or overall-questions."""
    version = catalog.code
    if part == "categories":
        return [
            {
                "catalog_version": version,
                "group_code": c.group.code,
                "group_name_ja": c.group.name_ja,
                "group_name_en": c.group.name_en,
                "category_code": c.code,
                "name_ja": c.name_ja,
                "name_en": c.name_en,
                "order": c.order,
            }
            for c in catalog.categories.select_related("group").order_by("order")
        ]
    if part == "items":
        return [
            {
                "catalog_version": version,
                "item_code": i.code,
                "category_code": i.category.code,
                "label_ja": i.label_ja,
                "text_ja": i.text_ja,
                "text_en": i.text_en,
                "reverse": i.reverse,
                "provisional": i.provisional,
                "order": i.order,
            }
            for i in catalog.items.select_related("category").order_by("order")
        ]
    if part == "kpis":
        return [
            {
                "catalog_version": version,
                "kpi_code": k.code,
                "category_code": k.category.code if k.category else None,
                "name_ja": k.name_ja,
                "name_en": k.name_en,
                "unit": k.unit,
                "direction": k.direction,
                "source": k.source,
                "vintage": k.vintage,
                "official": k.official,
                "order": k.order,
                "unit_en": k.unit_en or None,
                "source_en": k.source_en or None,
                "vintage_en": k.vintage_en or None,
            }
            for k in catalog.kpis.select_related("category").order_by("order")
        ]
    return [
        {
            "catalog_version": version,
            "question_code": q.code,
            "label_ja": q.label_ja,
            "label_en": q.label_en,
            "text_ja": q.text_ja,
            "text_en": q.text_en,
            "scale_min": q.scale_min,
            "scale_max": q.scale_max,
            "optional": q.optional,
        }
        for q in catalog.overall_questions.order_by("code")
    ]


def min_public_n() -> int:
    """Cells with fewer respondents are suppressed here exactly as on the dashboard."""
    return min_public_cell_n()


CATALOG_PARTS = ("categories", "items", "kpis", "overall-questions")


@dataclass
class ResultPage:
    """One page of a run's municipalities (in 団体コード order) with their records."""

    run: ScoreRun
    count: int
    page: int
    pages: int
    page_size: int
    records: list[Record] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def run_municipality_codes(*, run: ScoreRun) -> list[str]:
    """The municipalities with results in a run, in 団体コード order."""
    return list(
        ScoreCell.objects.filter(run=run, breakdown="all")
        .order_by("municipality_id")
        .values_list("municipality_id", flat=True)
    )


def _key(scores: MunicipalityScores) -> Record:
    return {
        "fiscal_year": scores.fiscal_year,
        "survey_type": scores.survey_type,
        "origin": scores.origin,
        "catalog_version": scores.catalog_version,
        "run_id": scores.run_public_id,
        "lg_code": scores.municipality_code,
        "municipality_name": scores.municipality_name,
    }


def score_records(scores: MunicipalityScores) -> list[Record]:
    key = _key(scores)
    return [
        {
            **key,
            "respondents_n": scores.n,
            "group_code": c.group_code,
            "category_code": c.code,
            "category_name_ja": c.name_ja,
            "subjective_value": c.subjective_value,
            "subjective_score": c.subjective_score,
            "subjective_score_raw": c.subjective_score_raw,
            "objective_score": c.objective_score,
            "objective_score_raw": c.objective_score_raw,
            "category_n": c.n,
            "kpis_with_data": c.kpis_with_data,
            "kpis_total": c.kpis_total,
            "coverage": c.coverage,
            "suppressed": c.suppressed,
        }
        for c in scores.categories
    ]


def overall_records(scores: MunicipalityScores) -> list[Record]:
    key = _key(scores)
    out: list[Record] = []
    for q in scores.overall:
        base = {
            **key,
            "question_code": q.code,
            "label_ja": q.label_ja,
            "scale_min": q.scale_min,
            "scale_max": q.scale_max,
            "mean": q.mean,
            "n": q.n,
        }
        if not q.distribution:
            out.append({**base, "answer": None, "percent": None, "suppressed": q.suppressed})
        for answer, percent in q.distribution:
            out.append({**base, "answer": answer, "percent": percent, "suppressed": q.suppressed})
    return out


def profile_records(scores: MunicipalityScores) -> list[Record]:
    """Respondents by 年代 × 性別, suppressed by the indicators selector as on the dashboard."""
    key = _key(scores)
    return [
        {
            **key,
            "age_band": c.age_band,
            "age_label": c.age_label,
            "gender": c.gender,
            "gender_label": c.gender_label,
            "n": c.n,
            "suppressed": c.suppressed,
        }
        for c in scores.profile
    ]


def detail_records(*, run: ScoreRun, scores: MunicipalityScores, kind: str) -> list[Record]:
    """Item (設問) or KPI (客観指標) level values behind each category score."""
    key = _key(scores)
    out: list[Record] = []
    for category in Category.objects.filter(catalog=run.catalog).order_by("order"):
        explanation = score_explain(
            run=run, municipality_code=scores.municipality_code, category_code=category.code
        )
        if kind == "items":
            out.extend(
                {
                    **key,
                    "category_code": category.code,
                    "item_code": i.code,
                    "label_ja": i.label_ja,
                    "reverse": i.reverse,
                    "value": i.value,
                    "score": i.score,
                    "score_raw": i.score_raw,
                    "n": i.n,
                    "reference_mean": i.reference_mean,
                    "reference_sd": i.reference_sd,
                    "reference_n": i.reference_n,
                }
                for i in explanation.items
            )
        else:
            out.extend(
                {
                    **key,
                    "category_code": category.code,
                    "kpi_code": k.code,
                    "name_ja": k.name_ja,
                    "unit": k.unit,
                    "direction": k.direction,
                    "value": k.value,
                    "score": k.score,
                    "score_raw": k.score_raw,
                    "reference_mean": k.reference_mean,
                    "reference_sd": k.reference_sd,
                    "reference_n": k.reference_n,
                    "source": k.source,
                    "vintage": k.vintage,
                    "unit_en": k.unit_en or None,
                    "source_en": k.source_en or None,
                    "vintage_en": k.vintage_en or None,
                }
                for k in explanation.kpis
            )
    return out


RESULT_DATASETS: dict[str, tuple[str, ...]] = {
    "scores": SCORE_COLUMNS,
    "overall": OVERALL_COLUMNS,
    "profile": PROFILE_COLUMNS,
    "item-scores": ITEM_SCORE_COLUMNS,
    "kpi-scores": KPI_SCORE_COLUMNS,
}


def result_page(
    *,
    dataset: str,
    fiscal_year: int,
    survey_type: str,
    municipalities: list[str],
    page: int,
    page_size: int,
) -> ResultPage | None:
    """A page of a results dataset for a run, or None when the run does not exist."""
    run = score_run_current(fiscal_year=fiscal_year, survey_type=survey_type)
    if run is None:
        return None
    codes = run_municipality_codes(run=run)
    not_found: list[str] = []
    if municipalities:
        present = set(codes)
        not_found = [c for c in municipalities if c not in present]
        wanted = set(municipalities)
        codes = [c for c in codes if c in wanted]
    pages = max(1, -(-len(codes) // page_size))
    chosen = codes[(page - 1) * page_size : page * page_size]
    result = ResultPage(
        run=run,
        count=len(codes),
        page=page,
        pages=pages,
        page_size=page_size,
        not_found=not_found,
    )
    for code in chosen:
        scores = scores_cached(run=run, municipality_code=code)
        if dataset == "scores":
            result.records.extend(score_records(scores))
        elif dataset == "overall":
            result.records.extend(overall_records(scores))
        elif dataset == "profile":
            result.records.extend(profile_records(scores))
        else:
            kind = "items" if dataset == "item-scores" else "kpis"
            result.records.extend(detail_records(run=run, scores=scores, kind=kind))
    return result
