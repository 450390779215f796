"""Writes of the indicators app (指標): catalog versions, scores, KPI values."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.indicators.catalog import CatalogDef
from machiwb.indicators.models import (
    CatalogVersion,
    Category,
    FactorGroup,
    Kpi,
    OverallQuestion,
    SurveyItem,
)


@dataclass(frozen=True)
class CatalogLoadResult:
    version: CatalogVersion
    changed: bool


def catalog_load(
    *, catalog: CatalogDef, source_name: str, actor: User | None = None
) -> CatalogLoadResult:
    """Create or replace one catalog version (指標カタログの読込).

    Loading the same file again changes nothing; a file with different content replaces the
    version's rows as a whole, in one transaction, and is recorded in the audit log.
    """
    with transaction.atomic():
        existing = CatalogVersion.objects.select_for_update().filter(code=catalog.version).first()
        if existing is not None and existing.sha256 == catalog.sha256:
            return CatalogLoadResult(version=existing, changed=False)
        fields = {
            "title": catalog.title,
            "first_fiscal_year": catalog.first_fiscal_year,
            "last_fiscal_year": catalog.last_fiscal_year,
            "note": catalog.note,
            "definition": catalog.raw,
            "sha256": catalog.sha256,
            "source_name": source_name,
        }
        if existing is None:
            version = CatalogVersion.objects.create(code=catalog.version, **fields)
        else:
            version = existing
            for name, value in fields.items():
                setattr(version, name, value)
            version.save()
            version.kpis.all().delete()
            version.items.all().delete()
            version.groups.all().delete()
            version.overall_questions.all().delete()
        groups = {
            g.code: FactorGroup.objects.create(
                catalog=version, code=g.code, name_ja=g.name_ja, name_en=g.name_en, order=g.order
            )
            for g in catalog.factor_groups
        }
        categories = {
            c.code: Category.objects.create(
                catalog=version,
                group=groups[c.group],
                code=c.code,
                name_ja=c.name_ja,
                name_en=c.name_en,
                order=c.order,
            )
            for c in catalog.categories
        }
        OverallQuestion.objects.bulk_create(
            OverallQuestion(
                catalog=version,
                code=q.code,
                label_ja=q.label_ja,
                label_en=q.label_en,
                text_ja=q.text_ja,
                text_en=q.text_en,
                scale_min=q.scale_min,
                scale_max=q.scale_max,
                optional=q.optional,
            )
            for q in catalog.overall_questions
        )
        SurveyItem.objects.bulk_create(
            SurveyItem(
                catalog=version,
                category=categories[i.category],
                code=i.code,
                label_ja=i.label_ja,
                text_ja=i.text_ja,
                text_en=i.text_en,
                reverse=i.reverse,
                provisional=i.provisional,
                order=i.order,
            )
            for i in catalog.items
        )
        Kpi.objects.bulk_create(
            Kpi(
                catalog=version,
                category=categories[k.category] if k.category else None,
                code=k.code,
                name_ja=k.name_ja,
                name_en=k.name_en,
                unit=k.unit,
                direction=k.direction,
                source=k.source,
                vintage=k.vintage,
                plausible_min=k.plausible_min,
                plausible_max=k.plausible_max,
                official=k.official,
                order=order,
            )
            for order, k in enumerate(catalog.kpis, start=1)
        )
        audit_log_write(
            actor=actor,
            action="indicators.catalog_load",
            target=version,
            summary=f"指標カタログ {version.code} を読み込み（{source_name}）",
            details={"sha256": catalog.sha256, "replaced": existing is not None},
        )
    return CatalogLoadResult(version=version, changed=True)
