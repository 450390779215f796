"""Prometheus metrics (監視用の数値): requests, latencies and the job queue.

Counters are per process; under gunicorn (several worker processes) set
``PROMETHEUS_MULTIPROC_DIR`` (deploy/gunicorn.conf.py does) so one scrape adds them up.
Labels are the view name and status code: never a path, address or user.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from machiwb.jobs.logs import view_label
from machiwb.jobs.selectors import job_queue_depth, job_status_counts

REQUESTS = Counter(
    "machiwb_http_requests",
    "HTTP requests answered, by view and status code.",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "machiwb_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def request_observe(method: str, view: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration."""
    LATENCY.labels(method, view).observe(seconds)
    REQUESTS.labels(method, view, str(status)).inc()


class MetricsMiddleware:
    """Count every request and time it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        request_observe(str(request.method), view_label(request), response.status_code, seconds)
        return response


class JobCollector(Collector):
    """Job counts read from the database at scrape time (the same for every process)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            counts = job_status_counts()
            depth = job_queue_depth()
        except DatabaseError:
            return
        jobs = GaugeMetricFamily("machiwb_jobs", "Background jobs by status.", labels=["status"])
        for status, n in sorted(counts.items()):
            jobs.add_metric([status], n)
        yield jobs
        yield GaugeMetricFamily(
            "machiwb_job_queue_depth", "Queue entries waiting for a job worker.", value=depth
        )


def _authorised(request: HttpRequest) -> bool:
    token: str = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _sep, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper holding ``MACHIWB_METRICS_TOKEN``.

    Without a configured token the endpoint does not exist (404).
    """
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorised(request):
        return HttpResponse(
            "bearer token required\n",
            status=401,
            content_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)  # type: ignore[no-untyped-call]
    else:
        process_registry = REGISTRY
    job_registry = CollectorRegistry()
    job_registry.register(JobCollector())
    body = generate_latest(process_registry) + generate_latest(job_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
