from django.urls import path, re_path

from machiwb.opendata import views

app_name = "opendata"

_SUFFIX = r"(?:\.(?P<suffix>json|csv))?$"

urlpatterns = [
    path("api/", views.guide, name="guide"),
    path("api/v1/", views.index, name="index"),
    path("api/v1/openapi.json", views.openapi, name="openapi"),
    re_path(r"^api/v1/prefectures" + _SUFFIX, views.prefectures, name="prefectures"),
    re_path(r"^api/v1/municipalities" + _SUFFIX, views.municipalities, name="municipalities"),
    re_path(r"^api/v1/runs" + _SUFFIX, views.runs, name="runs"),
    re_path(r"^api/v1/catalog" + _SUFFIX, views.catalog, name="catalog"),
    re_path(
        r"^api/v1/catalog/(?P<version>[a-z0-9_-]+)/(?P<part>categories|items|kpis|overall-questions)"
        + _SUFFIX,
        views.catalog_part,
        name="catalog_part",
    ),
    re_path(
        r"^api/v1/(?P<dataset>scores|overall|profile|item-scores|kpi-scores)" + _SUFFIX,
        views.results,
        name="results",
    ),
]
