"""Operations endpoints at the site root: readiness and metrics."""

from django.urls import path

from machiwb.jobs import health, metrics

urlpatterns = [
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
