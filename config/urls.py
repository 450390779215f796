from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("machiwb.core.urls")),
    path("dashboard/", include("machiwb.dashboard.urls")),
    path("", include("machiwb.opendata.urls")),
    path("regions/", include("machiwb.regions.urls")),
    path("", include("machiwb.surveys.urls")),
    path("", include("machiwb.accounts.urls")),
    path("audit/", include("machiwb.audit.urls")),
    path("jobs/", include("machiwb.jobs.urls")),
    path("guide/", include("machiwb.guide.urls")),
    path("", include("machiwb.jobs.ops_urls")),
    path("analysis/", include("machiwb.analysis.urls")),
    path("facilitation/", include("machiwb.facilitation.urls")),
    path("logictrees/", include("machiwb.logictrees.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "machiwb.jobs.errors.server_error_or_unavailable"
