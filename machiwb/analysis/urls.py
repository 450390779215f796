from django.urls import path

from machiwb.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.survey_list, name="surveys"),
    path("<str:code>/<uuid:survey_id>/", views.analysis_page, name="page"),
    path("<str:code>/<uuid:survey_id>/analysis.csv", views.analysis_download, name="csv"),
    path(
        "<str:code>/<uuid:survey_id>/<str:outcome>/<str:kind>.<str:image_format>",
        views.analysis_chart,
        name="chart",
    ),
]
