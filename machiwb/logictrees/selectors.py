"""Reads of the logic trees: a municipality's trees, the KPI catalog, current KPI values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext

from machiwb.accounts.models import User
from machiwb.core.language import in_active_language
from machiwb.indicators.models import CatalogVersion, Category
from machiwb.indicators.selectors import (
    score_available,
    score_explain,
    score_municipality,
    score_run_current,
)
from machiwb.logictrees.document import NodeKpi, TreeDocument, document_parse
from machiwb.logictrees.models import KpiCandidate, KpiKind, LogicTree, LogicTreeVersion
from machiwb.logictrees.numbers import DEVIATION_SCORE_EN
from machiwb.regions.models import Municipality
from machiwb.surveys.models import SurveyType


def logictree_list(*, municipality: Municipality) -> QuerySet[LogicTree]:
    return LogicTree.objects.filter(municipality=municipality).order_by("title", "created_at")


def logictree_get(*, municipality: Municipality, public_id: str) -> LogicTree | None:
    """The municipality's tree with this id; another municipality's tree is None, like a missing one."""
    return LogicTree.objects.filter(municipality=municipality, public_id=public_id).first()


def logictree_shared(*, token: str) -> LogicTree | None:
    """The tree behind a read-only share link, or None."""
    return LogicTree.objects.select_related("municipality").filter(share_token=token).first()


def tree_document(tree: LogicTree | LogicTreeVersion) -> TreeDocument:
    return document_parse(tree.document)


def version_list(*, tree: LogicTree) -> QuerySet[LogicTreeVersion]:
    return tree.versions.select_related("created_by").order_by("number")


@dataclass(frozen=True)
class KpiOption:
    """A KPI candidate for a node (KPI候補): ``ref`` and ``label`` are what the node stores
    (the label in Japanese, like the rest of the tree); ``shown`` is the label in the page's
    language and ``group`` the list it is shown in.

    ``unit_en`` is empty where there is no English unit (an operator's KPI)."""

    ref: str
    label: str
    shown: str
    group: str
    unit: str
    unit_en: str = ""

    @property
    def display_unit(self) -> str:
        return in_active_language(self.unit, self.unit_en)


def _latest_catalog() -> CatalogVersion | None:
    return CatalogVersion.objects.order_by("-first_fiscal_year").first()


def wellbeing_choices() -> list[tuple[str, str]]:
    """What a goal can point at: the 24 categories and the overall questions (newest catalog)."""
    catalog = _latest_catalog()
    if catalog is None:
        return [(f"c{i:02d}", f"c{i:02d}") for i in range(1, 25)] + [
            (f"q{i}", f"q{i}") for i in range(1, 6)
        ]
    categories = [(c.code, c.name) for c in catalog.categories.order_by("order")]
    questions = [
        (
            q.code,
            gettext("%(label)s（%(code)s）")
            % {"label": in_active_language(q.label_ja, q.label_en), "code": q.code.upper()},
        )
        for q in catalog.overall_questions.order_by("code")
    ]
    return categories + questions


def kpi_catalog() -> list[KpiOption]:
    """The 24 categories (subjective and objective 偏差値), overall questions, survey items and
    objective KPIs of the newest indicator catalog, then the operator's output/outcome KPIs."""
    options: list[KpiOption] = []
    catalog = _latest_catalog()
    if catalog is not None:
        categories = list(catalog.categories.order_by("order"))
        options += [
            KpiOption(
                f"category:{c.code}",
                f"{c.name_ja}（主観偏差値）",
                gettext("%(name)s（主観偏差値）") % {"name": c.name},
                gettext("カテゴリー（主観）"),
                "偏差値",
                DEVIATION_SCORE_EN,
            )
            for c in categories
        ]
        options += [
            KpiOption(
                f"objective:{c.code}",
                f"{c.name_ja}（客観偏差値）",
                gettext("%(name)s（客観偏差値）") % {"name": c.name},
                gettext("カテゴリー（客観）"),
                "偏差値",
                DEVIATION_SCORE_EN,
            )
            for c in categories
        ]
        options += [
            KpiOption(
                f"question:{q.code}",
                f"{q.label_ja}（平均）",
                gettext("%(name)s（平均）") % {"name": in_active_language(q.label_ja, q.label_en)},
                gettext("総合設問"),
                f"{q.scale_min}–{q.scale_max}",
                f"{q.scale_min}–{q.scale_max}",
            )
            for q in catalog.overall_questions.order_by("code")
        ]
        options += [
            KpiOption(
                f"item:{i.code}",
                f"{i.label_ja}（実数）",
                gettext("%(name)s（実数）") % {"name": in_active_language(i.label_ja, i.text_en)},
                pgettext("KPI group", "設問"),
                "1–5",
                "1–5",
            )
            for i in catalog.items.order_by("category__order", "order")
        ]
        options += [
            KpiOption(
                f"kpi:{k.code}",
                k.name_ja,
                k.name,
                pgettext("KPI group", "客観指標"),
                k.unit,
                k.unit_en,
            )
            for k in catalog.kpis.filter(category__isnull=False).order_by("order")
        ]
    for candidate in KpiCandidate.objects.filter(is_active=True).order_by("kind", "code"):
        if candidate.kind == KpiKind.OUTCOME:
            group = pgettext("KPI group", "アウトカム指標")
        else:
            group = pgettext("KPI group", "アウトプット指標")
        options.append(
            KpiOption(
                f"custom:{candidate.code}",
                candidate.name_ja,
                candidate.name_ja,
                group,
                candidate.unit,
            )
        )
    return options


def kpi_shown(
    kpis: Iterable[NodeKpi], options: Iterable[KpiOption] | None = None
) -> list[tuple[NodeKpi, str, str]]:
    """Each node KPI with its label and unit in the page's language.

    The node keeps the Japanese label it was given; while that is still the catalog's label
    the page shows the catalog's label in the page's language."""
    by_ref = {o.ref: o for o in (kpi_catalog() if options is None else options)}
    shown = []
    for kpi in kpis:
        option = by_ref.get(kpi.ref)
        if option is None:
            shown.append((kpi, kpi.label, ""))
        else:
            label = option.shown if option.label == kpi.label else kpi.label
            shown.append((kpi, label, option.display_unit))
    return shown


@dataclass(frozen=True)
class CurrentValue:
    """A KPI's current value from the platform's own results, with where it comes from."""

    value: float
    fiscal_year: int
    survey_type: str


def kpi_current_values(
    *, municipality: Municipality, refs: Iterable[str]
) -> dict[str, CurrentValue]:
    """Current values of the KPIs that are the platform's own (scores, items, objective KPIs),
    from the newest current results of the municipality; other KPIs are left out."""
    wanted = set(refs)
    available = score_available(municipality_code=municipality.code)
    if not wanted or not available:
        return {}
    # newest year first; within a year the 全国調査 (scored against its reference set) first
    fiscal_year, survey_type = min(
        available, key=lambda pair: (-pair[0], pair[1] != SurveyType.NATIONAL)
    )
    run = score_run_current(fiscal_year=fiscal_year, survey_type=survey_type)
    if run is None:
        return {}
    found: dict[str, float | None] = {}
    scores = score_municipality(run=run, municipality_code=municipality.code)
    for category in scores.categories:
        found[f"category:{category.code}"] = category.subjective_score
        found[f"objective:{category.code}"] = category.objective_score
    for question in scores.overall:
        found[f"question:{question.code}"] = question.mean
    kpi_codes = {r.split(":", 1)[1] for r in wanted if r.startswith("kpi:")}
    kpi_categories = dict(
        run.catalog.kpis.filter(code__in=kpi_codes).values_list("code", "category__code")
    )
    detail = {r.split(":", 1)[1].split("_")[0] for r in wanted if r.startswith("item:")}
    detail |= {c for c in kpi_categories.values() if c}
    for code in sorted(detail):
        try:
            explanation = score_explain(
                run=run, municipality_code=municipality.code, category_code=code
            )
        except Category.DoesNotExist:
            continue  # an imported tree may name an item of another catalog version
        for item in explanation.items:
            found[f"item:{item.code}"] = item.value
        for kpi in explanation.kpis:
            found[f"kpi:{kpi.code}"] = kpi.value
    return {
        ref: CurrentValue(value, fiscal_year, survey_type)
        for ref, value in found.items()
        if ref in wanted and value is not None
    }


def staff_municipalities(*, user: User) -> list[Municipality]:
    """The municipalities the user is a member of (所属する自治体), in code order."""
    return list(
        Municipality.objects.filter(memberships__user=user)
        .select_related("prefecture")
        .order_by("code")
    )
