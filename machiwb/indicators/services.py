"""Writes of the indicators app (指標): catalog versions, scores, KPI values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
    ScoreCell,
    ScoreOrigin,
    ScoreRun,
    SurveyItem,
)
from machiwb.indicators.official import (
    Mismatch,
    OfficialFileError,
    OfficialLabels,
    OfficialResult,
    official_file_parse,
    official_mismatches,
)
from machiwb.indicators.selectors import catalog_for_fiscal_year
from machiwb.indicators.textfile import DecodeError, decode_text
from machiwb.regions.models import Municipality


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


def _sha256_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _run_replace_current(run: ScoreRun) -> ScoreRun | None:
    """Retire the current run of the same year and type (call inside a transaction)."""
    previous = (
        ScoreRun.objects.select_for_update()
        .filter(fiscal_year=run.fiscal_year, survey_type=run.survey_type, is_current=True)
        .first()
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    return previous


@dataclass(frozen=True)
class OfficialImportReport:
    files: int
    runs: tuple[ScoreRun, ...]
    municipalities: tuple[str, ...]
    mismatches: tuple[Mismatch, ...]


class OfficialImportError(ValueError):
    """The files cannot be imported; ``problems`` lists every reason, by file and row."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _official_labels(catalog: CatalogVersion) -> OfficialLabels:
    items = list(catalog.items.select_related("category"))
    return OfficialLabels(
        items={i.label_ja: i.code for i in items},
        item_category={i.code: i.category.code for i in items},
        categories={c.name_ja: c.code for c in catalog.categories.all()},
        questions={q.label_ja: q.code for q in catalog.overall_questions.all()},
    )


def _municipality_by_region(region: str) -> Municipality | None:
    """「和歌山県 和歌山市」 or 「大阪府 大阪市 北区」 → the current municipality."""
    parts = region.split()
    if len(parts) == 2:
        return Municipality.objects.filter(
            prefecture__name=parts[0], name=parts[1], valid_to__isnull=True
        ).first()
    if len(parts) == 3:
        return Municipality.objects.filter(
            prefecture__name=parts[0], parent__name=parts[1], name=parts[2], valid_to__isnull=True
        ).first()
    return None


def _official_cell(result: OfficialResult) -> dict[str, Any]:
    overall = {}
    for code, distribution in sorted(result.distributions.items()):
        total = sum(distribution.values())
        mean = sum(a * p for a, p in distribution.items()) / total if total else None
        overall[code] = [mean, None, {str(a): p for a, p in sorted(distribution.items())}]
    return {
        "items": {c: [v, s, None] for c, (v, s) in sorted(result.items.items())},
        "categories": {
            c: [v, s, None, o, None, None] for c, (v, s, o) in sorted(result.categories.items())
        },
        "overall": overall,
    }


def official_results_import(
    *, files: Sequence[tuple[str, bytes]], actor: User | None = None
) -> OfficialImportReport:
    """Import published 全国調査 results (公表結果の取込) from the official CSV exports.

    All or nothing: any unreadable file, unknown label or unknown municipality stops the
    import with every problem listed. Each (fiscal year, survey type) gets a new current run
    holding the imported municipalities plus, carried forward, the other municipalities of
    the previous official run. Categories whose published value differs from the mean of
    their items by more than 0.1 are reported (the files round to 0.1).
    """
    latest = CatalogVersion.objects.order_by("-first_fiscal_year").first()
    if latest is None:
        raise OfficialImportError(["no indicator catalog is loaded (run load_catalog)"])
    labels = _official_labels(latest)
    problems: list[str] = []
    results: dict[tuple[int, str, str], OfficialResult] = {}
    file_info: list[dict[str, str]] = []
    for name, data in files:
        try:
            text, encoding = decode_text(data, name=name)
            kind = official_file_parse(text, name=name, labels=labels, results=results)
        except DecodeError as exc:
            problems.append(str(exc))
            continue
        except OfficialFileError as exc:
            problems.extend(f"{name}: {p}" for p in exc.problems)
            continue
        file_info.append(
            {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "kind": kind,
                "encoding": encoding,
            }
        )
    municipalities: dict[tuple[int, str, str], Municipality] = {}
    catalogs: dict[int, CatalogVersion] = {}
    for key in sorted(results):
        municipality = _municipality_by_region(key[2])
        if municipality is None:
            problems.append(f"地域 {key[2]!r}: no current municipality has this name")
        else:
            municipalities[key] = municipality
        catalog = catalog_for_fiscal_year(key[0])
        if catalog is None:
            problems.append(f"年度 {key[0]}: no indicator catalog covers this fiscal year")
        else:
            catalogs[key[0]] = catalog
    if problems:
        raise OfficialImportError(problems)

    mismatches = [m for key in sorted(results) for m in official_mismatches(results[key], labels)]
    runs = []
    with transaction.atomic():
        for fiscal_year, survey_type in sorted({(k[0], k[1]) for k in results}):
            cells = {
                municipalities[k].code: _official_cell(results[k])
                for k in sorted(results)
                if k[:2] == (fiscal_year, survey_type)
            }
            run = ScoreRun(
                catalog=catalogs[fiscal_year],
                fiscal_year=fiscal_year,
                survey_type=survey_type,
                origin=ScoreOrigin.OFFICIAL,
                created_by=actor,
            )
            previous = _run_replace_current(run)
            carried = []
            if previous is not None and previous.origin == ScoreOrigin.OFFICIAL:
                for cell in previous.cells.filter(breakdown="all").exclude(
                    municipality_id__in=list(cells)
                ):
                    cells[cell.municipality_id] = {
                        "items": cell.items,
                        "categories": cell.categories,
                        "overall": cell.overall,
                    }
                    carried.append(cell.municipality_id)
            run.inputs = {
                "files": file_info,
                "carried_forward_from": str(previous.public_id) if carried and previous else None,
                "carried_forward": sorted(carried),
            }
            run.reference = {"published": True}
            run.inputs_sha256 = _sha256_json(run.inputs)
            run.results_sha256 = _sha256_json(cells)
            run.municipality_count = len(cells)
            run.save()
            ScoreCell.objects.bulk_create(
                ScoreCell(run=run, municipality_id=code, breakdown="all", n=None, **cell)
                for code, cell in sorted(cells.items())
            )
            audit_log_write(
                actor=actor,
                action="indicators.official_import",
                target=run,
                summary=f"{fiscal_year}年度 公表結果を取込（{len(cells)}団体）",
                details={"files": file_info, "mismatches": len(mismatches)},
            )
            runs.append(run)
    return OfficialImportReport(
        files=len(file_info),
        runs=tuple(runs),
        municipalities=tuple(sorted({m.code for m in municipalities.values()})),
        mismatches=tuple(mismatches),
    )
