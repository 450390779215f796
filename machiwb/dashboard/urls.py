from django.urls import path, re_path

from machiwb.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("suggestions/", views.municipality_suggestions, name="suggestions"),
    re_path(r"^chart/(?P<name>[a-z0-9_]+)\.(?P<fmt>png|pdf|csv)$", views.chart, name="chart"),
    path("category/<slug:code>/", views.category, name="category"),
    path("favorites/", views.favorite_add_view, name="favorite_add"),
    path(
        "favorites/<uuid:public_id>/remove/",
        views.favorite_remove_view,
        name="favorite_remove",
    ),
]
