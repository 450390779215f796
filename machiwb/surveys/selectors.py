"""Reads for surveys (調査の参照)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from machiwb.accounts.models import User
from machiwb.core.sql import statement_cursor, statement_style
from machiwb.indicators.catalog import CATALOG_DIR, CatalogDef, catalog_parse, catalog_read
from machiwb.indicators.models import CatalogVersion
from machiwb.indicators.selectors import catalog_for_fiscal_year
from machiwb.regions.models import Municipality, Prefecture
from machiwb.surveys.datafile import definition_of_versions
from machiwb.surveys.models import (
    LETTERS_KEPT_FOR,
    InvitationLetters,
    Response,
    Survey,
    SurveyStatus,
    SurveyType,
    SurveyUpload,
    SurveyVersion,
)
from machiwb.surveys.standard_columns import STANDARD_COLUMNS


def survey_public_get(*, public_id: uuid.UUID) -> Survey | None:
    """A published survey (open or closed) by its public id, for the resident pages."""
    return (
        Survey.objects.select_related("municipality", "municipality__prefecture")
        .exclude(status="draft")
        .filter(public_id=public_id)
        .first()
    )


def verified_subjects_kept_until(*, survey: Survey) -> datetime.date | None:
    """The last day a closed identity-checked survey keeps its respondents' keyed hashes."""
    if not survey.identity_required or survey.closed_on is None:
        return None
    days = settings.MACHIWB["VERIFIED_SUBJECTS_KEPT_DAYS"]
    return survey.closed_on + datetime.timedelta(days=days)


def survey_version_current(*, survey: Survey) -> SurveyVersion | None:
    """The latest published version of a survey, or None before the first publication."""
    return survey.versions.order_by("-number").first()


def survey_definition_of_all_versions(*, survey: Survey) -> dict[str, Any] | None:
    """One definition covering the responses of every published version (for files)."""
    versions = {v.number: v.definition for v in survey.versions.all()}
    return definition_of_versions(versions) if versions else None


def survey_versions_with_counts(*, survey: Survey) -> list[SurveyVersion]:
    """Every published version, newest first, each with its ``response_count``."""
    return list(survey.versions.annotate(response_count=Count("responses")).order_by("-number"))


@dataclasses.dataclass(frozen=True)
class _FrozenVersion:
    pk: int
    survey_id: int
    number: int
    definition: dict[str, Any]
    published_at: datetime.datetime


#: Published versions by their random public id (never reused, unlike a row id after a
#: rollback or a restore). A version never changes after publication and is never deleted,
#: so each process reads it once.
_VERSIONS: dict[uuid.UUID, _FrozenVersion] = {}
_VERSIONS_KEPT = 256


@functools.cache
def _survey_by_public_id_query(
    alias: str,
) -> tuple[str, list[str], list[tuple[int, list[Any], Any]]]:
    """The ORM's SELECT of one survey by public id, compiled once per process and database:
    its SQL, the fields of its columns, and the converters the ORM applies to them."""
    compiler = Survey.objects.filter(public_id=uuid.UUID(int=0)).query.get_compiler(using=alias)
    sql, _params = compiler.as_sql()
    sql = statement_style(sql, connections[alias].vendor)
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    fields = [column.target.attname for column, _sql, _alias in compiler.select]
    return sql, fields, [(n, convs, column) for n, (convs, column) in converters.items()]


def _survey_by_public_id(public_id: uuid.UUID) -> Survey | None:
    """``Survey.objects.filter(public_id=…).first()`` without compiling the query each time."""
    sql, fields, converters = _survey_by_public_id_query(connection.alias)
    parameter = Survey._meta.get_field("public_id").get_db_prep_value(public_id, connection)
    with statement_cursor() as cursor:
        cursor.execute(sql, [parameter])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, convs, column in converters:
        for convert in convs:
            values[position] = convert(values[position], column, connection)
    return Survey.from_db(connection.alias, fields, values)


def survey_version_for_sheet(
    *, survey_public_id: uuid.UUID, version_public_id: str
) -> SurveyVersion | None:
    """The published version an answer sheet names, with its survey, or None.

    The survey is read on every call (its status and dates decide whether answers are
    accepted); the version, frozen at publication, comes from this process's memory after
    its first use.
    """
    try:
        key = uuid.UUID(version_public_id)
    except ValueError:
        return None
    survey = _survey_by_public_id(survey_public_id)
    if survey is None or survey.status == SurveyStatus.DRAFT:
        return None
    frozen = _VERSIONS.get(key)
    if frozen is None:
        row = SurveyVersion.objects.filter(public_id=key).first()
        if row is None:
            return None
        frozen = _FrozenVersion(row.pk, row.survey_id, row.number, row.definition, row.published_at)
        if len(_VERSIONS) >= _VERSIONS_KEPT:
            _VERSIONS.clear()
        _VERSIONS[key] = frozen
    if frozen.survey_id != survey.pk:
        return None
    return SurveyVersion(
        pk=frozen.pk,
        public_id=key,
        survey=survey,
        number=frozen.number,
        definition=frozen.definition,
        published_at=frozen.published_at,
    )


def survey_catalog(*, catalog_version: str) -> CatalogDef:
    """The indicator catalog version a survey is built on (調査票の版).

    The loaded catalog (``load_catalog``) is authoritative; before it is loaded, the file of
    the same version shipped with the indicators app is used, so a fresh install works.
    """
    loaded = CatalogVersion.objects.filter(code=catalog_version).first()
    if loaded is not None:
        parsed = catalog_parse(json.dumps(loaded.definition), source=catalog_version)
        return dataclasses.replace(parsed, sha256=loaded.sha256)
    return catalog_read(CATALOG_DIR / f"{catalog_version}.json")


def survey_catalog_version_for(*, fiscal_year: int) -> str:
    """The catalog version code in force for ``fiscal_year`` (fy2023 from FY2023 on)."""
    loaded = catalog_for_fiscal_year(fiscal_year)
    if loaded is not None:
        return loaded.code
    return "fy2022" if fiscal_year <= 2022 else "fy2023"


def survey_for_municipality(*, municipality: Municipality, public_id: uuid.UUID) -> Survey | None:
    """A survey of this municipality only (the staff gate has checked the municipality)."""
    return (
        Survey.objects.select_related("municipality")
        .filter(municipality=municipality, public_id=public_id)
        .first()
    )


def survey_list_for_municipality(*, municipality: Municipality) -> list[Survey]:
    """The municipality's surveys, newest fiscal year first, each with ``response_count``."""
    return list(
        Survey.objects.filter(municipality=municipality)
        .annotate(response_count=Count("versions__responses"))
        .order_by("-fiscal_year", "-created_at")
    )


def survey_response_count(*, survey: Survey) -> int:
    """How many responses the survey has received so far (all versions)."""
    return Response.objects.filter(survey_version__survey=survey).count()


def survey_export_records(*, survey: Survey) -> Iterator[dict[str, Any]]:
    """Every response of the survey as a flat record, in random (id) order, never arrival order."""
    columns = ["area", "answered_on", "age_band", "gender", "custom_answers", *STANDARD_COLUMNS]
    rows = (
        Response.objects.filter(survey_version__survey=survey)
        .select_related(None)
        .order_by("id")
        .values("municipality__code", "survey_version__number", *columns)
    )
    for row in rows.iterator(chunk_size=2000):
        record = {key: row[key] for key in STANDARD_COLUMNS}
        record.update(row["custom_answers"])
        record.update(
            municipality_code=row["municipality__code"],
            area=row["area"],
            answered_on=row["answered_on"].isoformat(),
            survey_version=row["survey_version__number"],
            age_band=row["age_band"],
            gender=row["gender"],
        )
        yield record


def survey_upload_list(*, survey: Survey) -> list[SurveyUpload]:
    return list(survey.uploads.select_related("created_by").order_by("-created_at"))


def survey_upload_get(*, survey: Survey, public_id: uuid.UUID) -> SurveyUpload | None:
    return survey.uploads.filter(public_id=public_id).first()


def survey_overview_for_user(*, user: User) -> list[tuple[Municipality, list[Survey]]]:
    """Each municipality the user is a member of, with its surveys and response counts."""
    municipalities = Municipality.objects.filter(memberships__user=user).order_by("code")
    return [
        (municipality, survey_list_for_municipality(municipality=municipality))
        for municipality in municipalities
    ]


def municipality_is_current(*, code: str) -> bool:
    """Whether ``code`` is a current municipality (for the 全国調査's choice of 市区町村)."""
    return Municipality.objects.filter(code=code, valid_to__isnull=True).exists()


def survey_national_list() -> list[Survey]:
    """Every 全国調査, newest fiscal year first, each with ``response_count``."""
    return list(
        Survey.objects.filter(survey_type=SurveyType.NATIONAL)
        .annotate(response_count=Count("versions__responses"))
        .order_by("-fiscal_year", "-created_at")
    )


def survey_national_get(*, public_id: uuid.UUID) -> Survey | None:
    """A 全国調査 by its public id (for the operator's pages)."""
    return Survey.objects.filter(survey_type=SurveyType.NATIONAL, public_id=public_id).first()


@dataclasses.dataclass(frozen=True)
class RegionCount:
    """Responses received from one prefecture (都道府県別の回答数) and its municipalities."""

    code: str
    name: str
    count: int
    municipalities: list[tuple[str, str, int]]


def survey_response_counts_by_region(*, survey: Survey) -> list[RegionCount]:
    """Response counts per prefecture and municipality, in 団体コード order (never by count).

    Every prefecture is listed, with 0 where nobody has answered yet; only municipalities
    with at least one response are listed under their prefecture.
    """
    rows = (
        Response.objects.filter(survey_version__survey=survey)
        .values("municipality__prefecture_id", "municipality_id", "municipality__name")
        .annotate(count=Count("id"))
        .order_by("municipality_id")
    )
    by_prefecture: dict[str, list[tuple[str, str, int]]] = {}
    for row in rows:
        by_prefecture.setdefault(row["municipality__prefecture_id"], []).append(
            (row["municipality_id"], row["municipality__name"], row["count"])
        )
    return [
        RegionCount(
            code=prefecture.code,
            name=prefecture.name,
            count=sum(count for _code, _name, count in by_prefecture.get(prefecture.code, [])),
            municipalities=by_prefecture.get(prefecture.code, []),
        )
        for prefecture in Prefecture.objects.order_by("code")
    ]


def invitation_letters_get(
    *, survey: Survey, job_public_id: uuid.UUID, user: User
) -> InvitationLetters | None:
    """Letters made in the background, if ``user`` started that job and they are still kept."""
    return InvitationLetters.objects.filter(
        survey=survey,
        job__public_id=job_public_id,
        job__actor=user,
        created_at__gte=timezone.now() - LETTERS_KEPT_FOR,
    ).first()
