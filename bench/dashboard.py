"""Dashboard benchmark: ``python -m bench.dashboard``.

Builds (once, untimed) five fiscal years of 全国調査 results for every current municipality in
the PostgreSQL database named by ``DATABASE_URL`` (default: the machine's server, database
``machiwb_bench_dashboard``). The results are GENERATED, not real, and use the fiscal years
2091–2095 so they never mix with real ones. Then, in the same run and process, it times on the
server side (Django's test client, no network):

* baseline: a trivial view (``/healthz``);
* the dashboard page with 5 municipalities compared;
* the API score endpoint for one municipality;
* cold PNG and PDF rendering of the 24-category radar (the chart cache is bypassed): each timed
  render draws another municipality's radar, so no rendered chart is reused. Per-process font
  data (the registered font, its trimmed copy) is loaded by an untimed render first, as in a
  running server. The line before the last gives the renders' CPU time too
  (``png_cpu_ms``, ``pdf_cpu_ms``), which other load on the machine does not inflate.

Last line: ``dashboard_p95_ms=A api_p95_ms=B png_ms=C pdf_ms=D baseline_p95_ms=E``.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace

from bench._database import ensure_database

YEARS = (2091, 2092, 2093, 2094, 2095)
REQUESTS = 60
RENDERS = 5
COMPARED = ("302015", "302023", "302031", "302082", "302040")


def _configure() -> None:
    os.environ.setdefault(
        "DATABASE_URL", "postgres://machiwb@127.0.0.1:5432/machiwb_bench_dashboard"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,testserver")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault(
        "DJANGO_STATIC_ROOT", os.path.join(tempfile.gettempdir(), "machiwb-bench-static")
    )


def _build() -> int:
    """Generated results for every municipality and year; returns the municipality count."""
    from django.core.management import call_command
    from django.db import transaction

    from machiwb.indicators.models import ScoreCell, ScoreRun
    from machiwb.indicators.selectors import catalog_for_fiscal_year
    from machiwb.regions.models import Municipality

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Municipality.objects.exists():
        call_command("load_regions", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_catalog", stdout=open(os.devnull, "w"))  # noqa: SIM115
    codes = list(
        Municipality.objects.filter(valid_to__isnull=True, is_northern_territories=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(2095)
    # Runs written in an older storage layout are rebuilt.
    ScoreRun.objects.filter(fiscal_year__in=YEARS, layout={}).delete()
    for year in YEARS:
        if ScoreRun.objects.filter(fiscal_year=year, survey_type="national").exists():
            continue
        catalog = catalog_for_fiscal_year(year)
        assert catalog is not None
        categories = list(catalog.categories.order_by("order").values_list("code", flat=True))
        items = list(catalog.items.order_by("order").values_list("code", flat=True))
        questions = list(
            catalog.overall_questions.order_by("code").values_list("code", "scale_min", "scale_max")
        )
        with transaction.atomic():
            run = ScoreRun.objects.create(
                catalog=catalog,
                fiscal_year=year,
                survey_type="national",
                origin="computed",
                is_current=True,
                inputs={"generated": "bench.dashboard"},
                layout={"items": items, "categories": categories, "kpis": []},
                inputs_sha256="0" * 64,
                results_sha256="0" * 64,
                municipality_count=len(codes),
            )
            cells = []
            for code in codes:
                n = rng.randint(20, 2000)
                k = len(categories)
                cells.append(
                    ScoreCell(
                        run=run,
                        municipality_id=code,
                        breakdown="all",
                        n=n,
                        categories=[
                            [round(rng.uniform(2, 4), 4) for _ in range(k)],
                            [round(rng.gauss(50, 10), 4) for _ in range(k)],
                            [n] * k,
                            [round(rng.gauss(50, 10), 4) for _ in range(k)],
                            [3] * k,
                            [4] * k,
                        ],
                        items=[
                            [round(rng.uniform(2, 4), 4) for _ in items],
                            [round(rng.gauss(50, 10), 4) for _ in items],
                            [n] * len(items),
                        ],
                        overall={
                            q: [6.2, n, [n // (high - low + 1)] * (high - low + 1)]
                            for q, low, high in questions
                        },
                    )
                )
                cells.extend(
                    ScoreCell(
                        run=run,
                        municipality_id=code,
                        breakdown=f"age{age}_gender{gender}",
                        n=rng.randint(0, n // 8),
                    )
                    for age in range(1, 9)
                    for gender in (1, 2)
                    if code in COMPARED
                )
            ScoreCell.objects.bulk_create(cells, batch_size=500)
    return len(codes)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _time_requests(get: Callable[[], int]) -> list[float]:
    for _ in range(3):
        get()
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        status = get()
        samples.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return samples


def main() -> None:
    _configure()
    ensure_database()
    import django

    django.setup()
    from django.test import Client

    from machiwb.charts.render import ImageFormat, _render
    from machiwb.dashboard.figures import radar_figure
    from machiwb.dashboard.results import result_load
    from machiwb.regions.models import Municipality

    count = _build()
    client = Client()
    year = YEARS[-1]
    dashboard_params = {
        "m": COMPARED[0],
        "type": "national",
        "fy": str(year),
        "c": list(COMPARED[1:]),
    }
    api_params = {"fiscal_year": str(year), "survey_type": "national", "municipality": "302015"}
    baseline = _time_requests(lambda: client.get("/healthz", secure=True).status_code)
    dashboard = _time_requests(
        lambda: client.get("/dashboard/", dashboard_params, secure=True).status_code
    )
    api = _time_requests(lambda: client.get("/api/v1/scores", api_params, secure=True).status_code)

    charts = []
    for code in COMPARED:
        municipality = Municipality.objects.select_related("prefecture").get(code=code)
        result = result_load(municipality=municipality, fiscal_year=year, survey_type="national")
        assert result is not None
        charts.append(radar_figure(result).chart)
    assert len(charts) == RENDERS
    # Load the font once (per process, as a server does); the charts timed below are all new.
    _render(replace(charts[0], meta=replace(charts[0].meta, title="warm-up")), "pdf")
    png: list[float] = []
    pdf: list[float] = []
    # CPU time beside wall time: on a shared machine the wall time also counts waiting for a core.
    cpu: dict[str, list[float]] = {"png": [], "pdf": []}
    formats: tuple[tuple[ImageFormat, list[float]], ...] = (("png", png), ("pdf", pdf))
    for chart in charts:
        for image_format, samples in formats:
            start, start_cpu = time.perf_counter(), time.process_time()
            _render(chart, image_format)
            samples.append((time.perf_counter() - start) * 1000)
            cpu[image_format].append((time.process_time() - start_cpu) * 1000)
    print(f"municipalities={count} fiscal_years={len(YEARS)} requests={REQUESTS} renders={RENDERS}")
    print(
        f"dashboard_median_ms={statistics.median(dashboard):.1f} "
        f"api_median_ms={statistics.median(api):.1f} "
        f"baseline_median_ms={statistics.median(baseline):.1f}"
    )
    print(
        f"png_cpu_ms={statistics.median(cpu['png']):.1f} "
        f"pdf_cpu_ms={statistics.median(cpu['pdf']):.1f}"
    )
    print(
        f"dashboard_p95_ms={_p95(dashboard):.1f} api_p95_ms={_p95(api):.1f} "
        f"png_ms={statistics.median(png):.1f} pdf_ms={statistics.median(pdf):.1f} "
        f"baseline_p95_ms={_p95(baseline):.1f}"
    )


if __name__ == "__main__":
    main()
