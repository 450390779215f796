from django.urls import path

from machiwb.facilitation import views

app_name = "facilitation"

urlpatterns = [
    path("", views.facilitator_list, name="index"),
    path("dispatches/", views.dispatch_list, name="dispatch_list"),
    path("apply/<str:code>/", views.dispatch_apply, name="apply"),
    path("dispatches/<uuid:public_id>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<uuid:public_id>/match/", views.dispatch_match, name="match"),
    path("dispatches/<uuid:public_id>/workshop/", views.dispatch_workshop, name="workshop"),
    path("dispatches/<uuid:public_id>/report/<str:role>/", views.dispatch_report, name="report"),
    path("dispatches/<uuid:public_id>/<str:transition>/", views.dispatch_act, name="act"),
    path("operator/", views.operator_index, name="operator"),
    path(
        "operator/export/fy<int:fiscal_year>.<str:fmt>",
        views.operator_export,
        name="export",
    ),
    path("operator/facilitators/", views.registry_list, name="registry"),
    path("operator/facilitators/new/", views.registry_edit, name="registry_new"),
    path("operator/facilitators/<uuid:public_id>/", views.registry_edit, name="registry_edit"),
]
