"""Writes of the indicators app (指標): catalog versions, scores, KPI values."""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import itertools
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import numpy as np
import orjson
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_noop
from psycopg.copy import QueuedLibpqWriter

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.indicators.answers_sql import answer_cells_postgresql
from machiwb.indicators.catalog import CatalogDef
from machiwb.indicators.compute import (
    ALL,
    AnswerCells,
    FloatArray,
    ItemSpec,
    KpiSpec,
    MunicipalityInfo,
    ObjectiveResult,
    Parameters,
    QuestionSpec,
    ReferenceStat,
    SubjectiveResult,
    compute_objective,
    compute_subjective,
)
from machiwb.indicators.kpi_file import KpiFileError, KpiRange, Problem, parse_kpi_rows, read_table
from machiwb.indicators.models import (
    CatalogVersion,
    Category,
    FactorGroup,
    Kpi,
    KpiImport,
    KpiValue,
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
from machiwb.indicators.selectors import (
    catalog_for_fiscal_year,
    kpi_values_for_year,
    score_run_current,
)
from machiwb.indicators.textfile import DecodeError, decode_text
from machiwb.jobs.messages import Text
from machiwb.jobs.models import Job
from machiwb.jobs.services import job_enqueue
from machiwb.regions.models import Municipality, MunicipalityKind
from machiwb.surveys.models import Response, SurveyType, SurveyVersion


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
                unit_en=k.unit_en,
                direction=k.direction,
                source=k.source,
                source_en=k.source_en,
                vintage=k.vintage,
                vintage_en=k.vintage_en,
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

    def __init__(self, problems: list[Text]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _no_catalog_for(fiscal_year: int) -> Text:
    return Text.of(gettext_noop("%(year)d年度に使える指標カタログがありません。"), year=fiscal_year)


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


def _layout(catalog: CatalogVersion) -> dict[str, list[str]]:
    """The order of the result lists in every cell of a run (catalog order)."""
    return {
        "items": list(catalog.items.order_by("order").values_list("code", flat=True)),
        "categories": list(catalog.categories.order_by("order").values_list("code", flat=True)),
        "kpis": list(
            catalog.kpis.filter(category__isnull=False)
            .order_by("order")
            .values_list("code", flat=True)
        ),
    }


def _official_cell(result: OfficialResult, layout: dict[str, list[str]]) -> dict[str, Any]:
    overall = {}
    for code, distribution in sorted(result.distributions.items()):
        total = sum(distribution.values())
        mean = sum(a * p for a, p in distribution.items()) / total if total else None
        overall[code] = [mean, None, {str(a): p for a, p in sorted(distribution.items())}]
    items = [result.items.get(c) for c in layout["items"]]
    categories = [result.categories.get(c) for c in layout["categories"]]
    none = [None] * len(categories)
    return {
        "items": [[i[0] if i else None for i in items], [i[1] if i else None for i in items]],
        "categories": [
            [c[0] if c else None for c in categories],
            [c[1] if c else None for c in categories],
            none,
            [c[2] if c else None for c in categories],
        ],
        "overall": overall,
    }


def official_results_import(
    *,
    files: Sequence[tuple[str, bytes]],
    actor: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OfficialImportReport:
    """Import published 全国調査 results (公表結果の取込) from the official CSV exports.

    All or nothing: any unreadable file, unknown label or unknown municipality stops the
    import with every problem listed. Each (fiscal year, survey type) gets a new current run
    holding the imported municipalities plus, carried forward, the other municipalities of
    the previous official run. Categories whose published value differs from the mean of
    their items by more than 0.1 are reported (the files round to 0.1).

    ``progress(files read, files)`` is called after each file, before anything is written.
    """
    latest = CatalogVersion.objects.order_by("-first_fiscal_year").first()
    if latest is None:
        raise OfficialImportError(
            [
                Text.of(
                    gettext_noop(
                        "指標カタログが読み込まれていません（load_catalog で読み込んでください）。"
                    )
                )
            ]
        )
    labels = _official_labels(latest)
    problems: list[Text] = []
    results: dict[tuple[int, str, str], OfficialResult] = {}
    file_info: list[dict[str, str]] = []
    for number, (name, data) in enumerate(files):
        if progress is not None:
            progress(number, len(files))
        try:
            text, encoding = decode_text(data, name=name)
            kind = official_file_parse(text, name=name, labels=labels, results=results)
        except DecodeError as exc:
            problems.append(exc.text)
            continue
        except OfficialFileError as exc:
            problems.extend(
                Text.of(gettext_noop("%(file)s：%(message)s"), file=name, message=p)
                for p in exc.problems
            )
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
            problems.append(
                Text.of(
                    gettext_noop("地域「%(region)s」：この名前の現在の市区町村がありません。"),
                    region=key[2],
                )
            )
        else:
            municipalities[key] = municipality
        catalog = catalog_for_fiscal_year(key[0])
        if catalog is None:
            problems.append(_no_catalog_for(key[0]))
        else:
            catalogs[key[0]] = catalog
    if problems:
        raise OfficialImportError(problems)

    mismatches = [m for key in sorted(results) for m in official_mismatches(results[key], labels)]
    runs = []
    with transaction.atomic():
        for fiscal_year, survey_type in sorted({(k[0], k[1]) for k in results}):
            layout = _layout(catalogs[fiscal_year])
            cells = {
                municipalities[k].code: _official_cell(results[k], layout)
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
            if (
                previous is not None
                and previous.origin == ScoreOrigin.OFFICIAL
                and previous.layout == layout
            ):
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
            run.layout = layout
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


class ComputeError(ValueError):
    """The fiscal year cannot be computed; ``text`` says why, translated when shown."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(str(text))


#: Steps ``indicators_compute`` reports: answers read, subjective computed, objective
#: computed, results written.
COMPUTE_STEPS = 4


def _round(value: float) -> float | None:
    """Stored precision: 4 decimals (NaN → None), so results are byte-identical on rerun."""
    return None if math.isnan(value) else round(value, 4)


def _round_optional(value: float | None) -> float | None:
    return None if value is None else _round(value)


def _answer_cells(
    *, fiscal_year: int, survey_type: str, items: list[ItemSpec], questions: list[QuestionSpec]
) -> tuple[AnswerCells, dict[str, int]]:
    """One GROUP BY over the stored responses: integer sums and counts per cell.

    Item sums and counts and the answer counts of Q1–Q5 all come from the same single pass
    (市区町村 × 年代 × 性別), so a national recompute reads the responses once.
    """
    versions = dict(
        SurveyVersion.objects.filter(
            survey__fiscal_year=fiscal_year, survey__survey_type=survey_type
        ).values_list("id", "survey__public_id")
    )
    if connection.vendor == "postgresql":
        cells, per_version = answer_cells_postgresql(
            version_ids=sorted(versions), items=items, questions=questions
        )
        per_survey: dict[str, int] = {}
        for version, count in per_version.items():
            key = str(versions[version])
            per_survey[key] = per_survey.get(key, 0) + count
        return cells, dict(sorted(per_survey.items()))
    responses = Response.objects.filter(survey_version_id__in=list(versions))
    group = ("municipality_id", "age_band", "gender")
    aggregates: dict[str, Any] = {"n": Count("pk")}
    for item in items:
        aggregates[f"s_{item.code}"] = Sum(item.code, default=0)
        aggregates[f"c_{item.code}"] = Count(item.code)
    for q in questions:
        for answer in range(q.scale_min, q.scale_max + 1):
            aggregates[f"{q.code}_{answer}"] = Count("pk", filter=Q(**{q.code: answer}))
    rows = list(responses.order_by().values_list(*group).annotate(**aggregates))
    rows.sort(key=lambda r: (r[0], r[1] or 0, r[2] or 0))
    width = len(items)
    matrix = np.array([r[3:] for r in rows], dtype=np.int64).reshape(len(rows), len(aggregates))
    answer_counts = {}
    offset = 1 + 2 * width
    for q in questions:
        size = q.scale_max - q.scale_min + 1
        answer_counts[q.code] = np.ascontiguousarray(matrix[:, offset : offset + size])
        offset += size
    cells = AnswerCells(
        municipality=tuple(r[0] for r in rows),
        age_band=np.array([r[1] or 0 for r in rows], dtype=np.int64),
        gender=np.array([r[2] or 0 for r in rows], dtype=np.int64),
        n=np.ascontiguousarray(matrix[:, 0]),
        item_sums=np.ascontiguousarray(matrix[:, 1 : 1 + 2 * width : 2]),
        item_counts=np.ascontiguousarray(matrix[:, 2 : 2 + 2 * width : 2]),
        answer_counts=answer_counts,
    )
    counts = (
        responses.order_by()
        .values_list("survey_version__survey__public_id")
        .annotate(k=Count("pk"))
    )
    return cells, {str(k): v for k, v in sorted(counts, key=lambda kv: str(kv[0]))}


def _municipality_info() -> dict[str, MunicipalityInfo]:
    return {
        code: MunicipalityInfo(
            code=code,
            population=population,
            special_ward=kind == MunicipalityKind.SPECIAL_WARD,
            parent=parent,
        )
        for code, population, kind, parent in Municipality.objects.values_list(
            "code", "population_census2020", "kind", "parent_id"
        )
    }


def _rounded(array: FloatArray) -> FloatArray:
    """Stored precision: 4 decimals; NaN is written as null (so reruns are byte-identical)."""
    return np.ascontiguousarray(np.round(array, 4))


def _cell_payloads(
    subjective: SubjectiveResult, objective: ObjectiveResult, layout: dict[str, list[str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """JSON payloads of the result rows, as parallel lists in ``layout`` order.

    Item results are kept on the ``all`` rows only; breakdown rows hold the categories and
    Q1–Q5 (answer counts; the % follow from n).
    """
    item_order = [[i.code for i in subjective.items].index(c) for c in layout["items"]]
    category_order = [subjective.categories.index(c) for c in layout["categories"]]
    all_rows = [r for r, key in enumerate(subjective.keys) if key[1] == ALL]
    item_row = {r: k for k, r in enumerate(all_rows)}
    values = _rounded(subjective.item_values[np.ix_(all_rows, item_order)])
    scores = _rounded(subjective.item_scores[np.ix_(all_rows, item_order)])
    item_n = np.ascontiguousarray(subjective.item_n[np.ix_(all_rows, item_order)])
    category_values = _rounded(subjective.category_values[:, category_order])
    category_scores = _rounded(subjective.category_scores[:, category_order])
    category_n = np.ascontiguousarray(subjective.category_n[:, category_order])
    question_data = [
        (
            q.code,
            _rounded(subjective.question_means[q.code]).tolist(),
            subjective.question_n[q.code].tolist(),
            np.ascontiguousarray(subjective.question_counts[q.code]),
        )
        for q in subjective.questions
    ]
    n = subjective.n.tolist()
    payloads: dict[tuple[str, str], dict[str, Any]] = {}
    for r, key in enumerate(subjective.keys):
        payloads[key] = {
            "n": n[r],
            "items": [values[k], scores[k], item_n[k]]
            if (k := item_row.get(r)) is not None
            else [],
            "categories": [category_values[r], category_scores[r], category_n[r]],
            "kpis": [],
            "overall": {
                code: [means[r], qn[r], counts[r]]
                for code, means, qn, counts in question_data
                if qn[r]
            },
        }
    empty = [None] * len(layout["categories"])
    for municipality in objective.municipalities:
        payload = payloads.setdefault(
            (municipality, ALL),
            {"n": 0, "items": [], "categories": [empty, empty, empty], "kpis": [], "overall": {}},
        )
        kpis = objective.kpis[municipality]
        payload["kpis"] = [
            [_round(kpis[c].value) if c in kpis else None for c in layout["kpis"]],
            [_round_optional(kpis[c].score) if c in kpis else None for c in layout["kpis"]],
        ]
        categories = objective.categories[municipality]
        found = [categories.get(c) for c in layout["categories"]]
        payload["categories"] = [
            *payload["categories"][:3],
            [_round_optional(c.score) if c else None for c in found],
            [c.kpis_with_data if c else 0 for c in found],
            [c.kpis_total if c else 0 for c in found],
        ]
    return payloads


_CELL_FIELDS = ("items", "categories", "kpis", "overall")
#: numpy rows are written directly; NaN becomes null.
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _cell_lines(results: list[tuple[str, str, dict[str, Any]]]) -> Iterator[bytes]:
    """Each result row as one line of COPY text (municipality, breakdown, n, JSON fields)."""
    for m, b, p in results:
        texts = b"\t".join(orjson.dumps(p[name], option=_JSON_OPTIONS) for name in _CELL_FIELDS)
        if b"\\" in texts:  # COPY's text format treats a backslash as an escape
            texts = texts.replace(b"\\", b"\\\\")
        n = b"\\N" if p["n"] is None else str(p["n"]).encode()
        yield b"%s\t%s\t%s\t%s\n" % (m.encode(), b.encode(), n, texts)


def _score_cells_write(run: ScoreRun, results: list[tuple[str, str, dict[str, Any]]]) -> str:
    """Write the run's cells (COPY on PostgreSQL) and return the SHA-256 of the results.

    On PostgreSQL the rows are encoded in chunks and a second thread sends them, so the
    server parses one chunk (the JSON columns are most of its work) while the next is
    being encoded.
    """
    digest = hashlib.sha256()
    lines = _cell_lines(results)
    if connection.vendor == "postgresql":
        columns = ", ".join(["run_id", "municipality_id", "breakdown", "n", *_CELL_FIELDS])
        prefix = f"{run.pk}\t".encode()
        with connection.cursor() as cursor:
            raw = cursor.cursor
            statement = f"COPY indicators_scorecell ({columns}) FROM STDIN"
            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                while chunk := list(itertools.islice(lines, 2000)):
                    for line in chunk:
                        digest.update(line)
                    copy.write(b"".join(prefix + line for line in chunk))
        return digest.hexdigest()
    for line in lines:
        digest.update(line)
    ScoreCell.objects.bulk_create(
        (
            ScoreCell(
                run=run,
                municipality_id=m,
                breakdown=b,
                n=p["n"],
                **{
                    name: orjson.loads(orjson.dumps(p[name], option=_JSON_OPTIONS))
                    for name in _CELL_FIELDS
                },
            )
            for m, b, p in results
        ),
        batch_size=2000,
    )
    return digest.hexdigest()


def _reference_json(stats: dict[str, ReferenceStat]) -> dict[str, Any]:
    return {
        code: {
            "mean": None if s.mean is None else _round(s.mean),
            "sd": None if s.sd is None else _round(s.sd),
            "n": s.n,
        }
        for code, s in sorted(stats.items())
    }


def _official_cells(
    previous: ScoreRun | None, *, exclude: set[str], layout: dict[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """Published cells of the current run, for municipalities without responses."""
    if previous is None or previous.layout != layout:
        return {}
    if previous.origin == ScoreOrigin.OFFICIAL:
        codes = set(previous.cells.values_list("municipality_id", flat=True))
    else:
        codes = set(previous.inputs.get("official_carried_forward", []))
    codes -= exclude
    return {
        cell.municipality_id: {
            "n": cell.n,
            "items": cell.items,
            "categories": cell.categories,
            "kpis": cell.kpis,
            "overall": cell.overall,
        }
        for cell in previous.cells.filter(breakdown=ALL, municipality_id__in=codes)
    }


def _national_item_reference(fiscal_year: int) -> dict[str, ReferenceStat] | None:
    """μ, σ and n of the items in the current computed 全国調査 run of the year, if it has any."""
    run = score_run_current(fiscal_year=fiscal_year, survey_type=SurveyType.NATIONAL)
    if run is None or run.origin != ScoreOrigin.COMPUTED:
        return None
    stats = {
        code: ReferenceStat(mean=s["mean"], sd=s["sd"], n=s["n"])
        for code, s in run.reference.get("items", {}).items()
    }
    return stats if any(s.sd for s in stats.values()) else None


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _without_cycle_collection(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run without Python's cycle collector: a national recompute makes millions of small
    numbers, lists and dicts and no reference cycles, and the collector's passes over them
    cost more than the rest of the Python work. Reference counting still frees everything;
    the collector is switched back on (if it was on) when the call returns."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_without_cycle_collection
def indicators_compute(
    *,
    fiscal_year: int,
    survey_type: str,
    parameters: Parameters | None = None,
    actor: User | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreRun:
    """Recompute one fiscal year's indicators from the stored responses (指標の再計算).

    Reads surveys.Response (read-only) and the KPI values of the year, runs the engine
    (compute.py) and writes a new current ScoreRun with every municipality and breakdown in
    one transaction, plus an audit entry. The same inputs give byte-identical results
    (``results_sha256``); ``inputs`` records what was used. When the current run already
    came from exactly these inputs it is returned unchanged unless ``force`` is set.

    Published results (公表結果) in the current run are kept for municipalities that have no
    responses in the database; ``inputs["official_carried_forward"]`` lists them.

    ``progress(done, COMPUTE_STEPS)`` is called after each step (answers read, subjective and
    objective indicators computed, results written).
    """
    report = progress or (lambda _done, _total: None)
    report(0, COMPUTE_STEPS)
    parameters = parameters or Parameters()
    catalog = catalog_for_fiscal_year(fiscal_year)
    if catalog is None:
        raise ComputeError(_no_catalog_for(fiscal_year))
    items = [
        ItemSpec(code=i.code, category=i.category.code, reverse=i.reverse)
        for i in catalog.items.select_related("category").order_by("order")
    ]
    questions = [
        QuestionSpec(code=q.code, scale_min=q.scale_min, scale_max=q.scale_max)
        for q in catalog.overall_questions.order_by("code")
    ]
    kpis = [
        KpiSpec(code=code, category=category, direction=direction)
        for code, category, direction in catalog.kpis.filter(category__isnull=False)
        .order_by("order")
        .values_list("code", "category__code", "direction")
    ]
    cells, per_survey = _answer_cells(
        fiscal_year=fiscal_year, survey_type=survey_type, items=items, questions=questions
    )
    report(1, COMPUTE_STEPS)
    info = _municipality_info()
    national_reference = (
        _national_item_reference(fiscal_year) if survey_type == SurveyType.INDIVIDUAL else None
    )
    subjective = compute_subjective(
        cells,
        items=items,
        questions=questions,
        municipalities=info,
        parameters=parameters,
        item_reference=national_reference,
    )
    report(2, COMPUTE_STEPS)
    kpi_values, kpi_sources = kpi_values_for_year(catalog=catalog, fiscal_year=fiscal_year)
    objective = compute_objective(kpi_values, kpis=kpis, municipalities=info, parameters=parameters)
    report(3, COMPUTE_STEPS)
    layout = _layout(catalog)
    payloads = _cell_payloads(subjective, objective, layout)
    previous = score_run_current(fiscal_year=fiscal_year, survey_type=survey_type)
    carried = _official_cells(previous, exclude=set(cells.municipality), layout=layout)
    for code, cell in carried.items():
        payloads[(code, ALL)] = cell
    inputs = {
        "catalog": {"version": catalog.code, "sha256": catalog.sha256},
        "responses_by_survey": per_survey,
        "kpi_sources": kpi_sources,
        "official_carried_forward": sorted(carried),
        "item_reference_from": (
            "national" if national_reference is not None else "this survey type"
        ),
    }
    fingerprint = hashlib.sha256()
    fingerprint.update(
        _sha256_json(
            {
                "official": {code: _sha256_json(cell) for code, cell in sorted(carried.items())},
                "catalog": catalog.sha256,
                "parameters": dataclasses.asdict(parameters),
                "national_reference": None
                if national_reference is None
                else {k: dataclasses.astuple(v) for k, v in sorted(national_reference.items())},
                "municipalities": cells.municipality,
                "kpis": {k: sorted(v.items()) for k, v in sorted(kpi_values.items())},
            }
        ).encode()
    )
    for array in (cells.age_band, cells.gender, cells.n, cells.item_sums, cells.item_counts):
        fingerprint.update(np.ascontiguousarray(array, dtype="<i8").tobytes())
    for _, answer_counts in sorted(cells.answer_counts.items()):
        fingerprint.update(np.ascontiguousarray(answer_counts, dtype="<i8").tobytes())
    inputs_sha256 = fingerprint.hexdigest()
    if (
        not force
        and previous is not None
        and previous.origin == ScoreOrigin.COMPUTED
        and previous.inputs_sha256 == inputs_sha256
    ):
        report(COMPUTE_STEPS, COMPUTE_STEPS)
        return previous
    results: list[tuple[str, str, dict[str, Any]]] = [
        (m, b, p) for (m, b), p in sorted(payloads.items())
    ]
    with transaction.atomic():
        run = ScoreRun(
            catalog=catalog,
            fiscal_year=fiscal_year,
            survey_type=survey_type,
            origin=ScoreOrigin.COMPUTED,
            parameters=dataclasses.asdict(parameters),
            reference={
                "items": _reference_json(dict(subjective.item_reference)),
                "kpis": _reference_json(dict(objective.kpi_reference)),
                "subjective_members": len(subjective.reference_members),
                "objective_members": len(objective.reference_members),
            },
            inputs=inputs,
            layout=layout,
            inputs_sha256=inputs_sha256,
            results_sha256="",
            municipality_count=len({m for m, _ in payloads}),
            response_count=int(cells.n.sum()),
            created_by=actor,
        )
        _run_replace_current(run)
        run.save()
        run.results_sha256 = _score_cells_write(run, results)
        run.save(update_fields=["results_sha256"])
        audit_log_write(
            actor=actor,
            action="indicators.compute",
            target=run,
            summary=f"{fiscal_year}年度 {survey_type} の指標を再計算（{run.response_count}件）",
            details={
                "inputs_sha256": run.inputs_sha256,
                "results_sha256": run.results_sha256,
                "municipalities": run.municipality_count,
            },
        )
    report(COMPUTE_STEPS, COMPUTE_STEPS)
    return run


#: The job kinds of this app (registered in ``jobs.py``).
RECOMPUTE_JOB = "indicators.recompute"
KPI_IMPORT_JOB = "indicators.kpi_import"
OFFICIAL_IMPORT_JOB = "indicators.official_import"


def kpi_values_import_start(*, fiscal_year: int, file_name: str, data: bytes, actor: User) -> Job:
    """Queue ``kpi_values_import`` of an uploaded file as a background job; the file is kept
    with the job until it finishes."""
    return job_enqueue(
        kind=KPI_IMPORT_JOB,
        params={"fiscal_year": fiscal_year},
        actor=actor,
        inputs=[(file_name, data)],
    )


def official_results_import_start(*, files: Sequence[tuple[str, bytes]], actor: User) -> Job:
    """Queue ``official_results_import`` of uploaded files as a background job."""
    return job_enqueue(kind=OFFICIAL_IMPORT_JOB, params={}, actor=actor, inputs=files)


class KpiImportError(ValueError):
    """The KPI file cannot be imported; ``problems`` lists every row, column and reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def kpi_values_import(
    *,
    fiscal_year: int,
    file_name: str,
    data: bytes,
    actor: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> KpiImport:
    """Import KPI values of a fiscal year (客観指標データの取込) from CSV or .xlsx.

    All or nothing: unknown or abolished municipality codes, unknown KPIs, non-numeric values,
    duplicates and values outside a KPI's plausible range are all reported and nothing is
    written. Accepted values replace earlier values of the same KPI and municipality and keep
    the file they came from (name, SHA-256, who, when).

    ``progress(rows checked, rows)`` is called while the rows are checked, before anything
    is written; the values are then written in one transaction.
    """
    catalog = catalog_for_fiscal_year(fiscal_year)
    if catalog is None:
        raise KpiImportError([Problem(0, "", _no_catalog_for(fiscal_year))])
    known = {
        code: KpiRange(low, high)
        for code, low, high in catalog.kpis.values_list("code", "plausible_min", "plausible_max")
    }
    current: set[str] = set()
    retired: set[str] = set()
    for code, valid_to in Municipality.objects.values_list("code", "valid_to"):
        (retired if valid_to is not None else current).add(code)
    try:
        table, file_format = read_table(data, name=file_name)
        rows = parse_kpi_rows(
            table,
            known_kpis=known,
            current_codes=current,
            retired_codes=retired,
            progress=progress,
        )
    except KpiFileError as exc:
        raise KpiImportError(exc.problems) from None
    with transaction.atomic():
        batch = KpiImport.objects.create(
            fiscal_year=fiscal_year,
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            file_format=file_format,
            row_count=len(rows),
            imported_by=actor,
        )
        existing = {
            (v.kpi_code, v.municipality_id): v
            for v in KpiValue.objects.filter(
                fiscal_year=fiscal_year, kpi_code__in={r.kpi_code for r in rows}
            )
        }
        to_create, to_update = [], []
        for r in rows:
            value = existing.get((r.kpi_code, r.municipality_code))
            if value is None:
                to_create.append(
                    KpiValue(
                        fiscal_year=fiscal_year,
                        kpi_code=r.kpi_code,
                        municipality_id=r.municipality_code,
                        value=r.value,
                        note=r.note,
                        source_import=batch,
                    )
                )
            else:
                value.value, value.note, value.source_import = r.value, r.note, batch
                to_update.append(value)
        KpiValue.objects.bulk_create(to_create, batch_size=2000)
        KpiValue.objects.bulk_update(to_update, ["value", "note", "source_import"], batch_size=2000)
        audit_log_write(
            actor=actor,
            action="indicators.kpi_import",
            target=batch,
            summary=f"{fiscal_year}年度 客観指標データを取込（{file_name}、{len(rows)}行）",
            details={
                "sha256": batch.sha256,
                "format": file_format,
                "created": len(to_create),
                "replaced": len(to_update),
            },
        )
    return batch
