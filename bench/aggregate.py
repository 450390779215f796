"""National recompute benchmark: ``python -m bench.aggregate --responses N``.

Builds (once, untimed) a synthetic 全国調査 for a fiscal year of its own in the PostgreSQL
database named by ``DATABASE_URL`` (default: the machine's server, database
``machiwb_bench``): every current municipality, N responses with the 46 items, Q1–Q5, 年代
and 性別, respondents spread by population^0.8 (many in cities, few in villages), stored in
surveys_response exactly as real answers are. Then, in the same run:

* baseline: one hand-written SQL query computing per-municipality item means (GROUP BY)
  over the same responses — the irreducible work;
* recompute: ``indicators_compute`` for that year (all municipalities, all breakdowns,
  results written), in a child process whose peak RSS is reported.

Last line: ``responses=N seconds=S baseline_seconds=B ratio=S/B peak_rss_mb=M``.
The synthetic answers are generated, not real; the fiscal year 2099 keeps them apart.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import subprocess
import sys
import time

from bench._database import ensure_database

FISCAL_YEAR = 2099
TITLE = "ベンチマーク用の合成データ（生成、実在の回答ではない）"


def _configure() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://machiwb@127.0.0.1:5432/machiwb_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")


def _item_sql() -> str:
    return (
        "CASE WHEN random() < 0.04 THEN NULL ELSE "
        "least(5, greatest(1, round(3.2 + b.shift + (random() + random() - 1) * 2.4)))::smallint END"
    )


def _build(responses: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from machiwb.regions.models import Municipality, MunicipalityKind
    from machiwb.surveys.models import Response, Survey, SurveyVersion
    from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

    call_command("migrate", verbosity=0)
    if not Municipality.objects.exists():
        call_command("load_regions", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_catalog", stdout=open(os.devnull, "w"))  # noqa: SIM115
    survey = Survey.objects.filter(fiscal_year=FISCAL_YEAR, survey_type="national").first()
    if survey is not None:
        stored = Response.objects.filter(survey_version__survey=survey).count()
        if stored == responses:
            print(f"data set: reusing {stored:,} stored responses")
            return
        with transaction.atomic():
            Response.objects.filter(survey_version__survey=survey).delete()
            SurveyVersion.objects.filter(survey=survey).delete()
            survey.delete()
    started = time.perf_counter()
    survey = Survey.objects.create(
        survey_type="national", fiscal_year=FISCAL_YEAR, catalog_version="fy2023", title=TITLE
    )
    version = SurveyVersion.objects.create(survey=survey, number=1, definition={})
    towns = list(
        Municipality.objects.filter(valid_to__isnull=True, is_northern_territories=False)
        .exclude(kind=MunicipalityKind.DESIGNATED_WARD)
        .order_by("code")
        .values_list("code", "population_census2020")
    )
    weights = [max(p or 0, 100) ** 0.8 for _, p in towns]
    total = sum(weights)
    bounds, running = [], 0.0
    for w in weights[:-1]:
        running += w / total
        bounds.append(running)
    codes = [c for c, _ in towns]
    items = ", ".join(CATEGORY_ITEM_COLUMNS)
    item_values = ", ".join(_item_sql() for _ in CATEGORY_ITEM_COLUMNS)
    eleven = (
        "least(10, greatest(0, round(6 + b.shift * 2 + (random() + random() - 1) * 6)))::smallint"
    )
    sql = f"""
        INSERT INTO surveys_response (id, survey_version_id, municipality_id, area, answered_on,
            age_band, gender, custom_answers, {items}, q1, q2, q3, q4, q5)
        SELECT gen_random_uuid(), %s, b.code, '', DATE '2099-07-01',
            1 + floor(random() * 8)::int, 1 + floor(random() * 4)::int, '{{}}'::jsonb,
            {item_values},
            {eleven}, {eleven},
            least(5, greatest(1, round(3.3 + b.shift + (random() + random() - 1) * 2.4)))::smallint,
            {eleven},
            CASE WHEN random() < 0.3 THEN NULL ELSE {eleven} END
        FROM (
            SELECT (%s::text[])[width_bucket(random(), %s::float8[]) + 1] AS code
            FROM generate_series(1, %s)
        ) a
        JOIN (
            SELECT code, (hashtext(code) %% 1000) / 4000.0 AS shift
            FROM unnest(%s::text[]) AS code
        ) b ON b.code = a.code
    """
    batch = 1_000_000
    done = 0
    with connection.cursor() as cursor:
        while done < responses:
            size = min(batch, responses - done)
            with transaction.atomic():
                cursor.execute(sql, [version.pk, codes, bounds, size, codes])
            done += size
            print(f"data set: {done:,} / {responses:,} responses", flush=True)
        cursor.execute("VACUUM ANALYZE surveys_response")
    print(f"data set: built in {time.perf_counter() - started:.1f} s (not timed below)")


def _baseline() -> float:
    from django.db import connection

    from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS

    means = ", ".join(f"avg(r.{c})" for c in CATEGORY_ITEM_COLUMNS)
    sql = f"""
        SELECT r.municipality_id, {means}
        FROM surveys_response r
        JOIN surveys_surveyversion v ON v.id = r.survey_version_id
        JOIN surveys_survey s ON s.id = v.survey_id
        WHERE s.fiscal_year = %s AND s.survey_type = 'national'
        GROUP BY r.municipality_id
    """
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [FISCAL_YEAR])
        rows = cursor.fetchall()
        elapsed = time.perf_counter() - started
    print(f"baseline: {len(rows):,} municipalities × 46 item means in {elapsed:.2f} s")
    return elapsed


def _child() -> None:
    from machiwb.indicators.services import indicators_compute

    started = time.perf_counter()
    run = indicators_compute(fiscal_year=FISCAL_YEAR, survey_type="national", force=True)
    elapsed = time.perf_counter() - started
    cells = run.cells.count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed:.6f} {peak:.1f} {run.municipality_count} {cells} {run.response_count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _configure()
    if not args.child:
        ensure_database()
    import django

    django.setup()
    if args.child:
        _child()
        return
    _build(args.responses)
    _baseline()  # warm the cache the same way for both measurements
    baseline = _baseline()
    result = subprocess.run(
        [sys.executable, "-m", "bench.aggregate", "--child"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    seconds_raw, peak, municipalities, cells, counted = result.stdout.split()[-5:]
    seconds = float(seconds_raw)
    print(
        f"recompute: {int(counted):,} responses, {int(municipalities):,} municipalities, "
        f"{int(cells):,} result rows (municipality × breakdown) in {seconds:.2f} s"
    )
    print(
        f"responses={args.responses} seconds={seconds:.2f} baseline_seconds={baseline:.2f} "
        f"ratio={seconds / baseline:.2f} peak_rss_mb={float(peak):.0f}"
    )


if __name__ == "__main__":
    main()
